/* oqu shell: what every page's frame does beside Material's own script.
 *
 * The DL-mode banner (main.html): its order stays on one line, its note unfolds below it. It is
 * folded on a phone's first visit (the courses come first), unfolded on a wide screen, and kept
 * as the reader left it (localStorage, per banner text: a new order unfolds again).
 * The portal's header search: Enter sends the words to the site-wide search page, which looks
 * through every course; Material's own search on the home section finds only the portal's pages.
 */
(function () {
  "use strict";

  var NARROW = "(max-width: 44.984375em)"; // Material's phone and tablet breakpoint

  function textKey(text) {
    var hash = 0;
    for (var i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
    return "oqu-banner-" + (hash >>> 0).toString(36);
  }

  function setupBanner(banner) {
    var key = textKey(banner.textContent || "");
    var stored = null;
    try { stored = localStorage.getItem(key); } catch (e) { /* private mode */ }
    banner.open = stored ? stored === "open" : !window.matchMedia(NARROW).matches;
    banner.addEventListener("toggle", function () {
      try { localStorage.setItem(key, banner.open ? "open" : "folded"); } catch (e) { /* private mode */ }
    });
  }

  function setupSiteSearch(link) {
    var input = document.querySelector(".md-search__input");
    if (!input) return;
    input.setAttribute("enterkeyhint", "search");
    input.addEventListener("keydown", function (event) {
      var words = input.value.trim();
      if (event.key !== "Enter" || !words) return;
      event.preventDefault();
      event.stopImmediatePropagation(); // before Material opens the first result of its own index
      window.location.href = link.href + "?query=" + encodeURIComponent(words);
    }, true);
    // Under the search box, while typing: the same search over every course.
    var output = document.querySelector(".md-search__output");
    if (!output) return;
    var everywhere = document.createElement("a");
    everywhere.className = "oqu-site-search";
    everywhere.hidden = true;
    output.insertBefore(everywhere, output.firstChild);
    input.addEventListener("input", function () {
      var words = input.value.trim();
      everywhere.hidden = !words;
      everywhere.textContent = link.textContent + ": «" + words + "» →";
      everywhere.href = link.href + "?query=" + encodeURIComponent(words);
    });
  }

  window.oquSetupBanner = setupBanner; // notices.js: a banner the service replaced after loading

  /* A wide table scrolls sideways in its wrapper on a phone: keyboard users must be able to
   * reach and scroll it (WCAG 2.1.1; axe's scrollable-region-focusable). */
  function focusableScrollers() {
    var wraps = document.querySelectorAll(".md-typeset__scrollwrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      if (wrap.scrollWidth > wrap.clientWidth + 1 && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        var caption = wrap.querySelector("caption, th");
        wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      }
    }
  }

  function start() {
    focusableScrollers();
    window.addEventListener("resize", focusableScrollers);
    var banner = document.querySelector("[data-oqu-banner]");
    if (banner) setupBanner(banner);
    var link = document.querySelector("[data-oqu-site-search]");
    if (link) setupSiteSearch(link);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
