/* oqu progress marks: for a signed-in student, a mark beside each completed lesson in the
 * course's menus and lists, and the course's share with a link to the progress page.
 *
 * Nothing personal is in the static files: the marks come from the service's
 * GET /api/v1/me/progress?course=<id> (by the course.yml completion rules), fetched only on a
 * course's pages and only for a signed-in reader; the words come with them, in the page's
 * language. Signed out, offline or without the service, the page stays as it is.
 */
(function () {
  "use strict";

  var COURSE = /^\/([^/]+)\/courses\/([^/]+)\//;

  function lessonKey(pathname, course) {
    var parts = pathname.replace(/index\.html$/, "").split("/").filter(Boolean);
    if (parts.length < 5 || parts[1] !== "courses" || parts[2] !== course) return null;
    return parts[4];
  }

  function mark(link, words) {
    if (link.querySelector(".oqu-progress-mark")) return;
    var badge = document.createElement("span");
    badge.className = "oqu-progress-mark";
    badge.textContent = " \u2713";
    badge.title = words.done;
    badge.setAttribute("aria-label", words.done);
    link.appendChild(badge);
  }

  function summary(progress, words, base, lang, course) {
    var heading = document.querySelector("article h1, .md-content h1");
    if (!heading || document.querySelector(".oqu-progress-summary")) return;
    var line = document.createElement("p");
    line.className = "oqu-progress-summary";
    var a = document.createElement("a");
    a.href = base + "progress/" + encodeURIComponent(course) + "/?lang=" + encodeURIComponent(lang);
    a.textContent = words.summary; // from the service: text, never HTML
    line.appendChild(a);
    heading.parentNode.insertBefore(line, heading.nextSibling);
  }

  function show(data, base, lang, course) {
    var progress = data.courses && data.courses[course];
    if (!progress) return;
    var links = document.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var url;
      try { url = new URL(links[i].getAttribute("href"), window.location.href); } catch (e) { continue; }
      if (url.origin !== window.location.origin) continue;
      var key = lessonKey(url.pathname, course);
      if (key && progress.lessons[key] && progress.lessons[key].completed) mark(links[i], data.words);
    }
    var here = lessonKey(window.location.pathname, course);
    if (!here) summary(progress, data.words, base, lang, course);
  }

  function start() {
    var match = window.location.pathname.match(COURSE);
    var account = document.querySelector("[data-oqu-account]");
    if (!match || !account || !window.fetch || window.location.protocol === "file:") return;
    var base = account.getAttribute("data-service") || "/";
    base = base.charAt(base.length - 1) === "/" ? base : base + "/";
    var lang = match[1], course = decodeURIComponent(match[2]);
    var query = "?course=" + encodeURIComponent(course) + "&lang=" + encodeURIComponent(lang);
    fetch(base + "api/v1/me/progress" + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && data.words) show(data, base, lang, course); })
      .catch(function () { /* signed out, no service: nothing to mark */ });
  }

  window.oquProgress = { lessonKey: lessonKey };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
