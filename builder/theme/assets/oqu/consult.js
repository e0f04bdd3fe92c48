/* oqu consult: the course's questions to its teachers, on the static pages.
 *
 * On a lesson page ([data-oqu-ask]) a signed-in student of the course writes a question to the
 * course's teachers (POST /api/v1/consultations/<course>/questions, with the CSRF header from
 * GET /api/v1/me) and sees their own questions on this lesson with the answers. On the course
 * page ([data-oqu-faq]) the questions the teachers published, without names, are loaded from
 * GET /api/v1/consultations/<course>/faq. Words come from the element's data-words (the builder's
 * catalogues); texts from the service are set as text, never as HTML. Without the service or the
 * script the built note stays.
 */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function serviceBase() {
    var account = document.querySelector("[data-oqu-account]");
    var base = (account && account.getAttribute("data-service")) || "/";
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  function request(method, path, body, csrf) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(serviceBase() + "api/v1/" + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        return { status: response.status, body: data };
      });
    });
  }

  function words(box) {
    var all = JSON.parse(box.getAttribute("data-words") || "{}");
    return function (key) { return all[key] || key; };
  }

  /* -- the course page's FAQ ----------------------------------------------------------------- */

  function faq(box) {
    var w = words(box), course = box.getAttribute("data-oqu-faq");
    request("GET", "consultations/" + encodeURIComponent(course) + "/faq").then(function (answer) {
      if (answer.status !== 200 || !answer.body) return; // not signed in, or no service: the note stays
      var items = answer.body.items || [];
      if (!items.length) {
        box.replaceChildren(el("p", { text: w("faq_empty") }));
        return;
      }
      var list = el("dl", { className: "oqu-faq__list" });
      items.forEach(function (item) {
        list.appendChild(el("dt", { text: item.question }));
        list.appendChild(el("dd", { text: item.answer }));
      });
      box.replaceChildren(list);
    }).catch(function () { /* the built note stays */ });
  }

  /* -- a lesson page's question form --------------------------------------------------------- */

  function Ask(box) {
    this.box = box;
    this.w = words(box);
    this.course = box.getAttribute("data-oqu-ask");
    this.lesson = box.getAttribute("data-lesson");
    this.lang = box.getAttribute("lang") || document.documentElement.lang || "kk";
    this.csrf = null;
  }

  Ask.prototype.start = function () {
    var self = this;
    request("GET", "me").then(function (me) {
      if (me.status === 401) return self.signIn();
      if (me.status !== 200 || !me.body) return self.note(self.w("unavailable"));
      self.csrf = me.body.csrf_token;
      if (!me.body.user || me.body.user.role !== "student") return self.note(self.w("ask_students_only"));
      self.form();
      return self.loadMine();
    }).catch(function () { self.note(self.w("unavailable")); });
  };

  Ask.prototype.note = function (text) { this.box.replaceChildren(el("p", { text: text })); };

  Ask.prototype.signIn = function () {
    var next = window.location.pathname + window.location.search;
    var href = serviceBase() + "auth/login?lang=" + encodeURIComponent(this.lang) + "&next=" + encodeURIComponent(next);
    this.box.replaceChildren(
      el("p", { text: this.w("ask_placeholder") }),
      el("p", {}, [el("a", { href: href, className: "md-button", text: this.w("sign_in") })])
    );
  };

  Ask.prototype.form = function () {
    var self = this, id = "oqu-ask-" + this.lesson;
    this.text = el("textarea", { id: id, name: "text", rows: "4", maxlength: "4000", "aria-describedby": id + "-hint" });
    this.status = el("p", { className: "oqu-ask__status", role: "status", "aria-live": "polite" });
    this.send = el("button", { type: "submit", className: "oqu-ask__send", text: this.w("ask_send") });
    this.mine = el("div", { className: "oqu-ask__mine" });
    var form = el("form", { className: "oqu-ask__form" }, [
      el("label", { for: id, text: this.w("ask_label") }),
      this.text,
      el("p", { id: id + "-hint", className: "oqu-ask__hint", text: this.w("ask_hint") }),
      this.send,
      this.status,
    ]);
    form.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
    this.box.replaceChildren(form, this.mine);
  };

  Ask.prototype.submit = function () {
    var self = this, text = this.text.value.trim();
    if (!text) {
      this.status.textContent = this.w("ask_empty");
      this.text.focus();
      return;
    }
    this.send.disabled = true;
    request("POST", "consultations/" + encodeURIComponent(this.course) + "/questions",
      { lesson: this.lesson, text: text }, this.csrf)
      .then(function (answer) {
        self.send.disabled = false;
        if (answer.status !== 201) {
          var said = answer.body && answer.body.error && answer.body.error.message;
          self.status.textContent = self.w("ask_failed") + (said ? " (" + said + ")" : "");
          return;
        }
        self.text.value = "";
        self.status.textContent = self.w("ask_sent");
        return self.loadMine();
      })
      .catch(function () { self.send.disabled = false; self.status.textContent = self.w("ask_failed"); });
  };

  Ask.prototype.loadMine = function () {
    var self = this;
    return request("GET", "consultations/questions").then(function (answer) {
      if (answer.status !== 200 || !answer.body) return;
      var here = (answer.body.questions || []).filter(function (q) {
        return q.course === self.course && q.lesson === self.lesson;
      });
      if (!here.length) return self.mine.replaceChildren();
      var list = el("dl", { className: "oqu-faq__list" });
      here.forEach(function (q) {
        list.appendChild(el("dt", { text: q.text }));
        list.appendChild(el("dd", { text: q.answer ? self.w("answer") + ": " + q.answer : self.w("waiting") }));
      });
      self.mine.replaceChildren(el("h3", { text: self.w("my_questions") }), list);
    });
  };

  function setup() {
    document.querySelectorAll("[data-oqu-faq]").forEach(faq);
    document.querySelectorAll("[data-oqu-ask]").forEach(function (box) { new Ask(box).start(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
