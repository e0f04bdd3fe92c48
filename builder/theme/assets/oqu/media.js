/* oqu media: playback speed and chapter buttons for the builder's players, and a photo lightbox.
   Plain JavaScript, no dependencies; without it the players and images still work. */
(function () {
  "use strict";

  var CLOSE = { kk: "Жабу", ru: "Закрыть", en: "Close" };

  function players() {
    document.querySelectorAll("[data-oqu-player]").forEach(function (figure) {
      var media = figure.querySelector("video, audio");
      if (!media) return;
      var speed = figure.querySelector("[data-oqu-speed]");
      if (speed) {
        speed.closest("label").hidden = false;
        speed.addEventListener("change", function () {
          media.playbackRate = parseFloat(speed.value) || 1;
        });
        media.addEventListener("ratechange", function () {
          speed.value = String(media.playbackRate);
        });
      }
      thumbnails(figure, media);
      figure.querySelectorAll("[data-oqu-seek]").forEach(function (button) {
        button.addEventListener("click", function () {
          media.currentTime = parseFloat(button.getAttribute("data-oqu-seek")) || 0;
          media.play();
        });
      });
    });
  }

  /* The thumbnail strip (a WebVTT metadata track of "thumbs.jpg#xywh=x,y,w,h" cues) as a row of
     small frames under the video: a preview of where each stretch of the lecture goes; click to seek. */
  function thumbnails(figure, media) {
    var element = figure.querySelector("track[kind='metadata'][label='thumbnails']");
    if (!element) return;
    var build = function () {
      var cues = element.track.cues;
      if (!cues || !cues.length || figure.querySelector(".oqu-thumbs")) return;
      var strip = document.createElement("div");
      strip.className = "oqu-thumbs";
      Array.prototype.forEach.call(cues, function (cue) {
        var match = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(cue.text.trim());
        if (!match) return;
        var button = document.createElement("button");
        var minutes = Math.floor(cue.startTime / 60), seconds = Math.floor(cue.startTime % 60);
        button.type = "button";
        button.title = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
        button.setAttribute("aria-label", button.title);
        button.style.backgroundImage = "url('" + new URL(match[1], element.src).href + "')";
        button.style.backgroundPosition = "-" + match[2] / 2 + "px -" + match[3] / 2 + "px";
        button.style.width = match[4] / 2 + "px";
        button.style.height = match[5] / 2 + "px";
        button.addEventListener("click", function () { media.currentTime = cue.startTime; });
        strip.appendChild(button);
      });
      var scale = function () {
        var image = new Image();
        image.onload = function () {
          strip.querySelectorAll("button").forEach(function (b) {
            b.style.backgroundSize = image.width / 2 + "px " + image.height / 2 + "px";
          });
        };
        image.src = new URL(/^(.*)#/.exec(cues[0].text.trim())[1], element.src).href;
      };
      scale();
      media.insertAdjacentElement("afterend", strip);
    };
    element.track.mode = "hidden";  // a metadata track loads its cues only when not disabled
    element.addEventListener("load", build);
    if (element.readyState === 2) build();
  }

  function lightbox() {
    var lang = document.documentElement.lang || "kk";
    document.querySelectorAll(".md-typeset img").forEach(function (img) {
      if (img.closest("a, .oqu-card")) return;
      img.classList.add("oqu-zoomable");
      img.tabIndex = 0;
      img.setAttribute("role", "button");
      var open = function () { show(img, lang); };
      img.addEventListener("click", open);
      img.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); open(); }
      });
    });
  }

  function show(img, lang) {
    var dialog = document.createElement("div");
    dialog.className = "oqu-lightbox";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", img.alt);
    var full = document.createElement("img");
    full.src = img.getAttribute("src");  // the original, not the smaller srcset copy
    full.alt = img.alt;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "oqu-lightbox__close";
    close.textContent = "×";
    close.setAttribute("aria-label", CLOSE[lang] || CLOSE.kk);
    dialog.appendChild(full);
    dialog.appendChild(close);
    var done = function () {
      document.removeEventListener("keydown", onKey);
      dialog.remove();
      img.focus();
    };
    var onKey = function (event) { if (event.key === "Escape") done(); };
    dialog.addEventListener("click", done);
    document.addEventListener("keydown", onKey);
    document.body.appendChild(dialog);
    close.focus();
  }

  function start() { players(); lightbox(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
