/* oqu account: who is signed in, in the page header, from the service's GET /api/v1/me.
 *
 * Signed in: "My studies" (the service's /my/ page) and the user's name, linking to the
 * profile page. Signed out: a sign-in link that
 * comes back to this page. The service down, or no service at all (an offline copy, a
 * partner's mirror): nothing happens and the page reads as before. No words live here: the
 * page carries them in data-sign-in (builder/i18n.py).
 */
(function () {
  "use strict";

  function serviceUrl(box) {
    var base = box.getAttribute("data-service") || "/";
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  function link(href, text, className) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text; // names come from the service: text, never HTML
    a.className = className;
    return a;
  }

  function show(box, elements) {
    box.replaceChildren.apply(box, elements);
    var header = document.querySelector(".md-header__inner");
    if (header) header.appendChild(box);
    box.hidden = false;
  }

  function render(box, status, body) {
    var service = serviceUrl(box);
    var lang = document.documentElement.lang || "kk";
    if (status === 200 && body && body.user) {
      var name = body.user.full_name || body.user.email;
      var query = "?lang=" + encodeURIComponent(lang);
      show(box, [
        link(service + "my/" + query, box.getAttribute("data-my-studies"), "oqu-account__studies"),
        link(service + "auth/profile" + query, name, "oqu-account__user")
      ]);
    } else if (status === 401) {
      var next = window.location.pathname + window.location.search;
      var href = service + "auth/login?lang=" + encodeURIComponent(lang) + "&next=" + encodeURIComponent(next);
      show(box, [link(href, box.getAttribute("data-sign-in"), "oqu-account__sign-in")]);
    }
  }

  function start() {
    var box = document.querySelector("[data-oqu-account]");
    if (!box || !window.fetch || window.location.protocol === "file:") return;
    fetch(serviceUrl(box) + "api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) return render(box, 401, null);
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) return null;
        return response.json().then(function (body) { render(box, 200, body); });
      })
      .catch(function () { /* the service is down: the page stays as it is */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
