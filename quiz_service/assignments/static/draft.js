/* oqu assignment draft: the online text of the assignment page, kept across reloads and network
 * loss as the quiz answers are (builder/theme/assets/oqu/quiz.js).
 *
 * Every change is written to localStorage first ("saved on this device"), then sent to the
 * service's draft (PUT /api/v1/assignments/<course>/<id>/draft) a moment after typing stops, at
 * once when the network returns, and before the work is handed in. The copy on the device is
 * removed only when the service has that same text ("saved"). A page opened with a copy on the
 * device (written offline, the tab closed) puts it back in the field and sends it.
 * The form still works without this script: it posts the text as before.
 */
(function () {
  "use strict";

  var TYPING_MS = 1200;
  var RETRY_MS = 4000;

  function Draft(box) {
    this.box = box;
    this.form = box.querySelector("form.draft-form");
    this.field = box.querySelector("textarea");
    this.state = box.querySelector(".draft-state");
    this.handIn = document.querySelector("form.hand-in");
    this.words = JSON.parse(box.getAttribute("data-words") || "{}");
    this.api = box.getAttribute("data-api");
    this.key = box.getAttribute("data-key");
    this.csrf = (this.form.querySelector("input[name=csrf_token]") || {}).value || "";
    this.timer = null;
    this.sending = null;
  }

  Draft.prototype.show = function (name, detail) {
    this.state.textContent = (this.words[name] || "") + (detail ? " " + detail : "");
    this.state.setAttribute("data-state", name);
  };

  Draft.prototype.stored = function () {
    try { return JSON.parse(localStorage.getItem(this.key) || "null"); } catch (e) { return null; }
  };

  Draft.prototype.keep = function (text) {
    try { localStorage.setItem(this.key, JSON.stringify({ text: text, at: Date.now() })); } catch (e) { /* private mode */ }
  };

  Draft.prototype.forget = function (text) {
    var kept = this.stored();
    if (kept && kept.text === text) {
      try { localStorage.removeItem(this.key); } catch (e) { /* private mode */ }
    }
  };

  /* Send the device's copy; resolves true when the service has it (or there was nothing to send). */
  Draft.prototype.sync = function () {
    var self = this;
    if (this.sending) return this.sending;
    var kept = this.stored();
    if (!kept) return Promise.resolve(true);
    if (navigator.onLine === false) { this.show("local"); return Promise.resolve(false); }
    this.show("saving");
    this.sending = fetch(this.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": this.csrf },
      body: JSON.stringify({ text: kept.text }),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        self.sending = null;
        if (response.status === 200) {
          self.forget(kept.text);
          if (self.stored()) return self.sync(); // typed on while it was sent
          self.show("saved");
          return true;
        }
        // Refused (closed, already handed in, signed out): the text stays on the device.
        var message = body && body.error ? body.error.message : "";
        self.show("refused", message);
        return false;
      });
    }, function () {
      self.sending = null;
      self.show("local");
      setTimeout(function () { self.sync(); }, RETRY_MS);
      return false;
    });
    return this.sending;
  };

  Draft.prototype.changed = function () {
    var self = this;
    this.keep(this.field.value);
    this.show("local");
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.sync(); }, TYPING_MS);
  };

  Draft.prototype.start = function () {
    var self = this;
    var kept = this.stored();
    if (kept && kept.text !== this.field.value) {
      this.field.value = kept.text; // written here while the service could not be reached
      this.show("local");
      this.sync();
    } else {
      if (kept) this.forget(kept.text);
      var initial = this.box.getAttribute("data-initial");
      if (initial) this.show(initial);
    }
    this.field.addEventListener("input", function () { self.changed(); });
    window.addEventListener("online", function () { self.sync(); });
    window.addEventListener("offline", function () { if (self.stored()) self.show("local"); });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.keep(self.field.value);
      self.sync();
    });
    if (this.handIn) {
      this.handIn.addEventListener("submit", function (event) {
        if (!self.stored()) return; // the service has the text: hand in as the form does
        event.preventDefault();
        self.sync().then(function (sent) {
          if (sent) self.handIn.submit();
          else self.show("not_handed_in");
        });
      });
    }
  };

  function init() {
    if (!window.fetch || !window.localStorage || !window.JSON) return;
    var boxes = document.querySelectorAll("[data-assignment-draft]");
    for (var i = 0; i < boxes.length; i++) new Draft(boxes[i]).start();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
