// oqu preview only (never in a built site): reload this page when the site is rebuilt, and show
// the errors of a saved file over the last good page.
(function () {
  "use strict";
  var WORDS = /*WORDS*/ {};
  var lang = (document.documentElement.lang || "kk").slice(0, 2);
  var words = WORDS[lang] || WORDS.kk;
  var generation = null;

  function overlay(problems) {
    var box = document.getElementById("oqu-preview-errors");
    if (!problems.length) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("section");
      box.id = "oqu-preview-errors";
      box.setAttribute("role", "alert");
      box.style.cssText =
        "position:fixed;z-index:10000;left:1rem;right:1rem;top:1rem;max-height:70vh;overflow:auto;" +
        "background:#fff5f5;color:#2b0000;border:3px solid #c62828;border-radius:6px;" +
        "box-shadow:0 4px 24px rgba(0,0,0,.35);padding:1rem 1.25rem;font:15px/1.5 sans-serif";
      document.body.appendChild(box);
    }
    box.hidden = false;
    box.textContent = "";
    var title = document.createElement("h2");
    title.textContent = words.errors;
    title.style.cssText = "margin:0 0 .5rem;font-size:1.2rem;color:#b71c1c";
    box.appendChild(title);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0 0 .5rem;padding-left:1.2rem";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var place = document.createElement("code");
      place.textContent = problem.path + ":" + problem.line;
      item.appendChild(place);
      item.appendChild(document.createTextNode(": " + problem.message));
      list.appendChild(item);
    });
    box.appendChild(list);
    var note = document.createElement("p");
    note.textContent = words.last_good;
    note.style.margin = "0 0 .5rem";
    box.appendChild(note);
    var hide = document.createElement("button");
    hide.type = "button";
    hide.textContent = words.hide;
    hide.onclick = function () { box.hidden = true; };
    box.appendChild(hide);
  }

  function changed(state) {
    var target = state.pages[lang] || null;
    if (target && target !== location.pathname) location.assign(target);
    else location.reload();
  }

  function poll() {
    var since = generation === null ? -1 : generation;
    fetch("/__oqu_preview__/events?since=" + since, { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (generation !== null && state.generation !== generation && !state.problems.length) {
          changed(state);
          return;
        }
        generation = state.generation;
        overlay(state.problems);
        poll();
      })
      .catch(function () { setTimeout(poll, 1000); });
  }

  poll();
})();
