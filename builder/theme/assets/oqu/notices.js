/* oqu notices: the distance-learning order in force and the announcements the academic office
 * published in the service since this page was built (GET /api/v1/notices).
 *
 * The page as built keeps its banner and its announcements for readers without the service.
 * Once the office has issued an order in the service, the service's word replaces the built
 * banner (or removes it when no order is in force). Urgent announcements show under the header
 * of every page; the others in the home page's announcements. No words live here: the texts
 * come from the service in the page's language, and are set as text, never as HTML.
 */
(function () {
  "use strict";

  function serviceUrl() {
    var box = document.querySelector("[data-oqu-account]");
    if (!box) return null;
    var base = box.getAttribute("data-service") || "/";
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* The banner as main.html draws it: the order on one line, the note folding out below it. */
  function bannerBox(mode) {
    if (!mode.note) return element("span", "oqu-dl-banner", mode.order_line);
    var box = element("details", "oqu-dl-banner");
    box.setAttribute("data-oqu-banner", "");
    box.appendChild(element("summary", "", mode.order_line));
    box.appendChild(element("p", "", mode.note));
    return box;
  }

  function showBanner(mode) {
    if (!mode.managed) return; // nothing issued in the service: the built banner stays
    var banner = document.querySelector(".md-banner");
    if (!mode.in_force) {
      if (banner) banner.remove();
      return;
    }
    if (!banner) {
      banner = element("div", "md-banner");
      banner.appendChild(element("div", "md-banner__inner md-grid md-typeset"));
      var header = document.querySelector(".md-header");
      if (header) header.parentNode.insertBefore(banner, header);
    }
    var inner = banner.querySelector(".md-banner__inner") || banner;
    var box = bannerBox(mode);
    var built = inner.querySelector(".oqu-dl-banner");
    if (built) inner.replaceChild(box, built);
    else inner.appendChild(box);
    if (box.tagName === "DETAILS" && window.oquSetupBanner) window.oquSetupBanner(box);
  }

  function announcement(item, headingTag) {
    var box = element("section", "oqu-notice" + (item.urgent ? " oqu-notice--urgent" : ""));
    box.setAttribute("data-notice", String(item.id));
    box.appendChild(element(headingTag, "oqu-notice__title", item.title));
    box.appendChild(element("p", "oqu-notice__text", item.text));
    return box;
  }

  function showAnnouncements(items) {
    var urgent = items.filter(function (item) { return item.urgent; });
    if (urgent.length) {
      var bar = element("div", "oqu-urgent");
      bar.setAttribute("role", "status");
      urgent.forEach(function (item) { bar.appendChild(announcement(item, "strong")); });
      var header = document.querySelector(".md-header");
      if (header && header.nextSibling) header.parentNode.insertBefore(bar, header.nextSibling);
    }
    var list = document.querySelector("[data-oqu-announcements]");
    if (list && items.length) {
      list.replaceChildren.apply(list, items.map(function (item) { return announcement(item, "h3"); }));
      list.hidden = false;
    }
  }

  function start() {
    var service = serviceUrl();
    if (!service || !window.fetch || window.location.protocol === "file:") return;
    var lang = document.documentElement.lang || "kk";
    fetch(service + "api/v1/notices?lang=" + encodeURIComponent(lang), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        return response.ok && type.indexOf("application/json") === 0 ? response.json() : null;
      })
      .then(function (body) {
        if (!body) return;
        showBanner(body.distance_learning);
        showAnnouncements(body.announcements || []);
      })
      .catch(function () { /* the service is down: the page reads as built */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
