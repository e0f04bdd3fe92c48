/* oqu book: a course's consultations page books in place.
 *
 * On the static consultations page ([data-oqu-book]) a signed-in student of the course sees the
 * open slots (GET /api/v1/consultations/<course>/slots and their own places from
 * GET /api/v1/consultations/bookings) and books, joins the waitlist, cancels, leaves the waitlist
 * or takes an offered seat without leaving the page (POST, with the CSRF header from
 * GET /api/v1/me and an Idempotency-Key per press). What happened is said in the element's
 * status line (aria-live). Words and date formats come from data-words (the builder's
 * catalogues and CLDR data: Chromium's Intl has no Kazakh); times are the wall-clock time of
 * data-zone with its offset. Texts from the service are set as text, never as HTML. Signed out,
 * for staff, or without the service or the script, the built link to the service's booking page
 * stays.
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

  function requestKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function request(method, path, body, csrf) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["Idempotency-Key"] = requestKey();
    }
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

  function Book(box) {
    var all = JSON.parse(box.getAttribute("data-words") || "{}");
    this.box = box;
    this.all = all;
    this.course = box.getAttribute("data-oqu-book");
    this.zone = box.getAttribute("data-zone") || "Asia/Almaty";
    this.zoneName = box.getAttribute("data-zone-name") || this.zone;
    this.lang = box.getAttribute("lang") || document.documentElement.lang || "kk";
    this.csrf = null;
  }

  Book.prototype.w = function (key, values) {
    var text = this.all[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  };

  /* The wall-clock parts of a moment in the page's zone, and its offset ("UTC+5"). */
  Book.prototype.parts = function (iso) {
    var found = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: this.zone, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset",
    }).formatToParts(new Date(iso)).forEach(function (part) { found[part.type] = part.value; });
    var offset = (found.timeZoneName || "GMT").replace("GMT", "UTC").replace("-", "\u2212");
    return { year: found.year, month: Number(found.month), day: Number(found.day), time: found.hour + ":" + found.minute, offset: offset };
  };

  Book.prototype.moment = function (iso) {
    var p = this.parts(iso), months = this.all.months || [];
    return (this.all.date_pattern || "{day}.{month}.{year}, {time}")
      .replace("{year}", p.year).replace("{day}", String(p.day))
      .replace("{month}", months[p.month - 1] || String(p.month)).replace("{time}", p.time);
  };

  Book.prototype.say = function (text) { this.status.textContent = text; };

  Book.prototype.start = function () {
    var self = this;
    request("GET", "me").then(function (me) {
      if (me.status !== 200 || !me.body || !me.body.user) return; // signed out: the link stays
      self.csrf = me.body.csrf_token;
      if (me.body.user.role !== "student") {
        self.box.insertBefore(el("p", { text: self.w("staff_only") }), self.box.firstChild);
        return;
      }
      self.status = el("p", { className: "oqu-book__status", role: "status", "aria-live": "polite" });
      self.list = el("div", { className: "oqu-book__slots", "aria-busy": "true" }, [el("p", { text: self.w("loading") })]);
      self.zoneLine = el("p", { className: "oqu-book__zone" });
      var service = self.box.querySelector(".oqu-book__fallback a"); // the service's page stays a way
      self.box.replaceChildren(self.zoneLine, self.status, self.list);
      if (service) {
        service.textContent = self.w("service_page");
        service.className = "";
        self.box.appendChild(el("p", { className: "oqu-book__service" }, [service]));
      }
      return self.load();
    }).catch(function () { /* no service: the link stays */ });
  };

  Book.prototype.load = function (focusSlot) {
    var self = this, course = encodeURIComponent(this.course);
    return Promise.all([
      request("GET", "consultations/" + course + "/slots?lang=" + encodeURIComponent(this.lang)),
      request("GET", "consultations/bookings?lang=" + encodeURIComponent(this.lang)),
    ]).then(function (answers) {
      self.list.removeAttribute("aria-busy");
      if (answers[0].status !== 200 || !answers[0].body) {
        self.list.replaceChildren(el("p", { text: self.w("failed", { reason: self.w("try_again") }) }));
        return;
      }
      var mine = {};
      ((answers[1].body && answers[1].body.bookings) || []).forEach(function (b) { mine[b.id] = b; });
      self.show(answers[0].body.slots || [], mine, focusSlot);
    }).catch(function () {
      self.list.replaceChildren(el("p", { text: self.w("failed", { reason: self.w("try_again") }) }));
    });
  };

  Book.prototype.show = function (slots, mine, focusSlot) {
    var self = this;
    if (!slots.length) {
      this.zoneLine.textContent = "";
      this.list.replaceChildren(el("p", { text: this.w("none") }));
      return;
    }
    this.zoneLine.textContent = this.zoneName + " (" + this.parts(slots[0].starts_at).offset + ")";
    var items = el("ul", { className: "oqu-book__list" });
    slots.forEach(function (slot) { items.appendChild(self.slotItem(slot, slot.my_booking ? mine[slot.my_booking] : null)); });
    this.list.replaceChildren(items);
    if (focusSlot) {
      var item = this.list.querySelector('[data-slot="' + focusSlot + '"]');
      var target = item && (item.querySelector("button") || item.querySelector("h3"));
      if (target) target.focus();
    }
  };

  Book.prototype.slotItem = function (slot, booking) {
    var state = slot.my_state || "none", headingId = "oqu-book-slot-" + slot.id;
    var title = slot.title || this.w(slot.kind === "individual" ? "individual" : "group");
    var place = slot.mode === "online" ? this.w("online") : this.w("room", { room: slot.room || "" });
    var facts = [this.w("teacher", { name: slot.teacher }), place, this.w("free", { free: slot.free, seats: slot.seats })];
    if (slot.waiting) facts.push(this.w("queue", { n: slot.waiting }));
    var item = el("li", { className: "oqu-book__slot", "data-slot": String(slot.id), "data-state": state, "aria-labelledby": headingId }, [
      el("h3", { id: headingId, tabindex: "-1", text: title }),
      el("p", { className: "oqu-book__when", text: this.moment(slot.starts_at) + "\u2013" + this.parts(slot.ends_at).time }),
      el("p", { className: "oqu-book__facts", text: facts.join(" \u00b7 ") }),
    ]);
    if (state === "none") {
      item.appendChild(el("p", { className: "oqu-book__closes", text: this.w("closes", { time: this.moment(slot.closes_at) }) }));
      item.appendChild(this.bookForm(slot, headingId));
    } else {
      item.appendChild(this.ownPlace(slot, state, booking));
    }
    return item;
  };

  Book.prototype.bookForm = function (slot, headingId) {
    var self = this, id = "oqu-book-topic-" + slot.id;
    var topic = el("input", { id: id, name: "topic", type: "text", maxlength: "1000", autocomplete: "off" });
    var full = slot.free < 1;
    var button = el("button", { type: "submit", className: "oqu-book__button" + (full ? "" : " oqu-book__button--primary"),
      text: this.w(full ? "join_waitlist" : "book"), "aria-describedby": headingId });
    var form = el("form", { className: "oqu-book__form" }, [el("label", { for: id, text: this.w("topic") }), topic, button]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.act(button, slot.id, "consultations/slots/" + slot.id + "/bookings", { topic: topic.value.trim(), waitlist: true },
        function (answer) {
          if (answer.status === 202) return self.w("done_waiting", { n: (answer.body && answer.body.position) || 1 });
          return self.w("done_booked");
        });
    });
    return form;
  };

  Book.prototype.ownPlace = function (slot, state, booking) {
    var self = this, box = el("div", { className: "oqu-book__mine" }), id = slot.my_booking;
    var line;
    if (state === "booked") line = this.w("state_booked");
    else if (state === "waiting") line = this.w("state_waiting", { n: (booking && booking.position) || 1 });
    else line = this.w("state_offered", { time: booking && booking.hold_until ? this.moment(booking.hold_until) : "" });
    box.appendChild(el("p", { className: "oqu-book__state", text: line }));
    if (state === "booked" && slot.link) {
      box.appendChild(el("p", {}, [el("a", { href: slot.link, rel: "noopener", text: this.w("join") })]));
    }
    if (state === "booked" && slot.room) box.appendChild(el("p", { text: this.w("room", { room: slot.room }) }));
    var actions = el("p", { className: "oqu-book__actions" });
    function button(key, path, done, primary) {
      var b = el("button", { type: "button", className: "oqu-book__button" + (primary ? " oqu-book__button--primary" : ""),
        text: self.w(key), "aria-describedby": "oqu-book-slot-" + slot.id });
      b.addEventListener("click", function () { self.act(b, slot.id, path, undefined, function () { return self.w(done); }); });
      actions.appendChild(b);
    }
    var base = "consultations/bookings/" + id;
    if (state === "offered") {
      button("accept", base + "/accept", "done_accepted", true);
      button("decline", base + "/cancel", "done_left", false);
    } else if (state === "waiting") {
      button("leave", base + "/cancel", "done_left", false);
    } else {
      button("cancel", base + "/cancel", "done_cancelled", false);
    }
    box.appendChild(actions);
    return box;
  };

  /* One press: POST, say what happened (or why not), and show the slots as they are now. */
  Book.prototype.act = function (button, slotId, path, body, done) {
    var self = this, sep = path.indexOf("?") < 0 ? "?" : "&";
    button.disabled = true;
    this.say("");
    request("POST", path + sep + "lang=" + encodeURIComponent(this.lang), body === undefined ? {} : body, this.csrf)
      .then(function (answer) {
        if (answer.status >= 200 && answer.status < 300) self.say(done(answer));
        else self.say(self.w("failed", { reason: self.reason(answer) }));
        return self.load(slotId);
      })
      .catch(function () {
        button.disabled = false;
        self.say(self.w("failed", { reason: self.w("try_again") }));
      });
  };

  Book.prototype.reason = function (answer) {
    var error = answer.body && answer.body.error;
    var code = error && error.code;
    if (code && this.all["error." + code]) return this.all["error." + code];
    return (error && error.message) || this.w("try_again");
  };

  function setup() {
    if (!window.fetch || window.location.protocol === "file:") return;
    document.querySelectorAll("[data-oqu-book]").forEach(function (box) { new Book(box).start(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
