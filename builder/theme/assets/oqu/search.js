/* oqu search: the site-wide search page (/<lang>/find/) and lecture links (#t=SECONDS).
 *
 * The page asks the service (GET /api/v1/search); when the service cannot be reached (an
 * offline copy, a partner's mirror) it offers each course's built-in search, opened with ?q=.
 * A lesson page opened with #t=123 starts its video at that second. No words live here: the
 * page carries them in data-words (builder/i18n.py).
 */
(function () {
  "use strict";

  function secondsFromHash() {
    var match = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    return match ? parseFloat(match[1]) : null;
  }

  function seekVideo() {
    var seconds = secondsFromHash();
    var video = document.querySelector("article video") || document.querySelector("video");
    if (seconds === null || !video) return;
    var seek = function () {
      video.currentTime = seconds;
      video.setAttribute("data-oqu-started-at", String(seconds));
    };
    if (video.readyState >= 1) seek();
    else video.addEventListener("loadedmetadata", seek, { once: true });
    if (video.preload === "none") video.preload = "metadata";
    video.scrollIntoView({ block: "center" });
  }

  function clock(seconds) {
    var s = Math.floor(seconds);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + rest : m + ":" + rest;
  }

  /* The snippet is HTML escaped by the service with matches in <mark>; keep only text and <mark>. */
  function snippetNodes(html) {
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    var out = document.createDocumentFragment();
    var source = parsed.body.firstChild;
    (source ? Array.prototype.slice.call(source.childNodes) : []).forEach(function (node) {
      if (node.nodeType === 1 && node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function renderHit(hit, root, words) {
    var item = element("li", "oqu-find__hit oqu-find__hit--" + hit.kind);
    var link = element("a", "oqu-find__link");
    link.href = root + hit.url;
    var where = hit.kind === "caption" ? words.video.replace("{time}", clock(hit.seconds || 0)) : hit.heading;
    link.textContent = where ? hit.title + " — " + where : hit.title;
    item.appendChild(link);
    var context = [hit.course_title, hit.module_title].filter(Boolean).join(" › ");
    if (context) item.appendChild(element("div", "oqu-find__context", context));
    var snippet = element("p", "oqu-find__snippet");
    snippet.appendChild(snippetNodes(hit.snippet));
    item.appendChild(snippet);
    return item;
  }

  /* A visitor who is not signed in searches the open courses only: say that signing in adds theirs. */
  function tellSignInSearchesMore(note, service, words) {
    if (!note || !words.sign_in_more) return;
    fetch(service + "api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status !== 401) return;
        var lang = document.documentElement.lang || "kk";
        var next = window.location.pathname + window.location.search;
        var link = element("a", "oqu-find__sign-in", words.sign_in);
        link.href = service + "auth/login?lang=" + encodeURIComponent(lang) + "&next=" + encodeURIComponent(next);
        note.replaceChildren(document.createTextNode(words.sign_in_more + " "), link);
        note.hidden = false;
      })
      .catch(function () { /* no service: the offline note says what to do */ });
  }

  function setupFindPage(box) {
    var form = box.querySelector("form");
    var status = box.querySelector(".oqu-find__status");
    var list = box.querySelector(".oqu-find__results");
    var offline = box.querySelector(".oqu-find__offline");
    var words = JSON.parse(box.getAttribute("data-words") || "{}");
    var root = "../../";
    var service = (box.getAttribute("data-service") || "/").replace(/\/?$/, "/");

    function showOffline(query) {
      offline.hidden = false;
      offline.querySelectorAll("a[data-oqu-course-search]").forEach(function (link) {
        var base = link.getAttribute("href").split("?")[0];
        link.setAttribute("href", base + "?q=" + encodeURIComponent(query));
      });
    }

    function run(query, course) {
      var params = new URLSearchParams({ q: query, lang: box.getAttribute("data-lang") });
      if (course) params.set("course", course);
      list.textContent = "";
      status.textContent = "";
      offline.hidden = true;
      box.setAttribute("data-state", "searching");
      return fetch(service + "api/v1/search?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().then(
            function (body) { return { response: response, body: body }; },
            function () { return { response: response, body: null }; }
          );
        })
        .then(function (answer) {
          var body = answer.body;
          if (!answer.response.ok || !body || !Array.isArray(body.hits)) {
            if (answer.response.status >= 500 || !body || !body.error) throw new Error("unreachable");
            status.textContent = words.failed.replace("{message}", body.error.message);
            box.setAttribute("data-state", "failed");
            return;
          }
          if (body.match === "similar" || body.match === "any") status.textContent = words[body.match];
          if (!body.hits.length) status.textContent = words.nothing;
          body.hits.forEach(function (hit) { list.appendChild(renderHit(hit, root, words)); });
          box.setAttribute("data-state", "done");
        })
        .catch(function () {
          showOffline(query);
          box.setAttribute("data-state", "offline");
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = form.elements.q.value.trim();
      var course = form.elements.course.value;
      if (!query) return;
      var url = new URL(window.location.href);
      url.searchParams.set("query", query); // not "q": Material opens its own search on ?q=
      if (course) url.searchParams.set("course", course);
      else url.searchParams.delete("course");
      window.history.replaceState(null, "", url.toString());
      run(query, course);
    });

    tellSignInSearchesMore(box.querySelector(".oqu-find__more"), service, words);

    var initial = new URL(window.location.href).searchParams;
    if (initial.get("query")) {
      form.elements.q.value = initial.get("query");
      if (initial.get("course")) form.elements.course.value = initial.get("course");
      run(initial.get("query"), form.elements.course.value);
    }
  }

  function start() {
    var box = document.querySelector("[data-oqu-find]");
    if (box) setupFindPage(box);
    seekVideo();
  }

  window.addEventListener("hashchange", seekVideo);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
