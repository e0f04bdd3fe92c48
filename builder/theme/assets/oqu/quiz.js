/* oqu quiz: takes a quiz inside the lesson page. The keys never come here: the page shows the
 * public part (../../_quizzes/<id>.json), the service (/api/v1/) starts attempts, stores each
 * answer as it is given and grades on submit.
 *
 * Every answer is put in a queue kept in localStorage before it is sent, and the queue is sent
 * in order: a reload, a lost connection or a closed laptop loses nothing; the saves go out when
 * the network returns. Each save has a growing sequence number and its own id, so a retry never
 * duplicates and an old save never overwrites a newer one (the service answers 409).
 * The countdown follows the server's clock. Words come from the element's data-words.
 * A rules panel says when the quiz opens and closes (in the course's zone, named), the time
 * limit, attempts used and left, the pass mark and the delay between attempts; the start button
 * stays disabled, with the reason beside it, while the service would refuse a start.
 */
(function () {
  "use strict";

  var RETRY_MS = 4000;

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

  /* A moment in the course's zone, with the zone named, written as the builder writes the
   * schedule's times: "2026 жылғы 15 желтоқсан, 14:00 (Алматы уақыты, UTC+5)". */
  function formatMoment(iso, zone, words) {
    var date = new Date(iso);
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" })
        .formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
    var months = words.months || [];
    var text = (words.date_pattern || "{day}.{month}.{year}, {time}")
      .replace("{year}", parts.year).replace("{day}", String(parseInt(parts.day, 10)))
      .replace("{month}", months[parseInt(parts.month, 10) - 1] || parts.month)
      .replace("{time}", parts.hour + ":" + parts.minute);
    var offset = (parts.timeZoneName || "").replace("GMT", "UTC");
    var name = words["zone." + zone] || zone;
    return text + " (" + name + (offset ? ", " + offset : "") + ")";
  }

  function isUnanswered(q, response) {
    if (q.type === "description") return false;
    if (response === undefined || response === null || response === "") return true;
    if (Array.isArray(response)) {
      return q.type === "fill-blanks" ? !response.some(function (v) { return String(v).trim(); }) : !response.length;
    }
    if (typeof response === "object") return !Object.keys(response).length;
    return typeof response === "string" && !response.trim();
  }

  /* Question text: escaped, then a small Markdown subset (bold, italic, line breaks). */
  function richText(text, format) {
    var span = el("span");
    var plain = text;
    if (format === "html") {
      plain = new DOMParser().parseFromString(text, "text/html").body.textContent || "";
    }
    var safe = plain.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
    if (format !== "plain") {
      safe = safe.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>").replace(/\*([^*]+)\*/g, "<em>$1</em>");
    }
    span.innerHTML = safe.replace(/\n/g, "<br>");
    return span;
  }

  /* Blanks [[1]], [[2]] … of a fill-in-the-blank question show as numbered gaps. */
  function questionText(q) {
    var text = q.type === "fill-blanks" ? q.text.replace(/\[\[(\d+)\]\]/g, "_____ ($1)") : q.text;
    return richText(text, q.format);
  }

  /* Numbers as the page's language writes them: at most two decimals, with the signs of CLDR
     that the build puts in data-number (Babel's; Chromium's Intl has no Kazakh data and would
     write 3.33 where Kazakh writes 3,33). */
  var ENGLISH_SIGNS = { decimal: ".", group: ",", minus: "-", percent: "{0}%" };

  function formatNumber(value, signs) {
    var fixed = Math.abs(value).toFixed(2).replace(/\.00$/, "").replace(/(\.\d)0$/, "$1");
    var parts = fixed.split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, signs.group);
    var sign = value < 0 && Number(fixed) !== 0 ? signs.minus : "";
    return sign + whole + (parts[1] ? signs.decimal + parts[1] : "");
  }

  function Quiz(box) {
    this.box = box;
    this.words = JSON.parse(box.getAttribute("data-words") || "{}");
    this.key = box.getAttribute("data-quiz");
    this.lang = box.getAttribute("lang") || document.documentElement.lang || "kk";
    this.signs = JSON.parse(box.getAttribute("data-number") || "null") || ENGLISH_SIGNS;
    var account = document.querySelector("[data-oqu-account]");
    var base = (account && account.getAttribute("data-service")) || "/";
    this.api = (base.charAt(base.length - 1) === "/" ? base : base + "/") + "api/v1/";
    this.csrf = null;
    this.attempt = null;
    this.sending = false;
  }

  Quiz.prototype.w = function (key) { return this.words[key] || key; };
  Quiz.prototype.number = function (value) { return formatNumber(value, this.signs); };
  Quiz.prototype.percent = function (value) { return this.signs.percent.replace("{0}", this.number(value)); };
  Quiz.prototype.moment = function (iso, zone) { return formatMoment(iso, zone || "Asia/Almaty", this.words); };

  Quiz.prototype.request = function (method, path, body) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.csrf && method !== "GET") headers["X-CSRF-Token"] = this.csrf;
    return fetch(this.api + path, {
      method: method,
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        var wait = parseInt(response.headers.get("Retry-After") || "", 10);
        return { status: response.status, body: data, retryAfter: wait > 0 ? wait : RETRY_MS / 1000 };
      });
    });
  };

  Quiz.prototype.start = function () {
    var self = this;
    fetch(this.box.getAttribute("data-src"))
      .then(function (r) { return r.json(); })
      .then(function (publicQuiz) {
        self.publicQuiz = publicQuiz;
        self.renderPreview();
        return self.request("GET", "me");
      })
      .then(function (me) {
        if (me.status === 401) return self.renderSignIn();
        if (me.status !== 200) return self.status(self.w("unavailable"));
        self.csrf = me.body.csrf_token;
        return self.loadSummary();
      })
      .catch(function () { self.status(self.w("unavailable")); });
    window.addEventListener("online", function () { self.flush(); });
  };

  Quiz.prototype.shell = function () {
    this.box.replaceChildren();
    this.box.appendChild(el("h2", { text: this.publicQuiz.title }));
    this.rules = el("div", { className: "oqu-quiz__rules-box" });
    this.timer = el("p", { className: "oqu-quiz__timer", "aria-live": "off" });
    this.timer.hidden = true;
    this.body = el("div");
    this.statusLine = el("p", { className: "oqu-quiz__status", role: "status", "aria-live": "polite" });
    this.actions = el("div", { className: "oqu-quiz__actions" });
    [this.rules, this.timer, this.body, this.statusLine, this.actions].forEach(this.box.appendChild, this.box);
  };

  Quiz.prototype.status = function (text) { if (this.statusLine) this.statusLine.textContent = text; };

  Quiz.prototype.renderPreview = function () {
    this.shell();
    var questions = this.publicQuiz.questions;
    this.renderRules(this.publicQuiz, null);
    if (!questions.length) this.body.appendChild(el("p", { text: this.w("drawn") }));
    this.renderQuestions(questions, function () { return true; }, {});
  };

  /* Questions numbered as a student counts them: a description is text between them, unnumbered. */
  Quiz.prototype.renderQuestions = function (questions, readOnly, responses) {
    var number = 0;
    questions.forEach(function (q, index) {
      if (q.type !== "description") number += 1;
      this.body.appendChild(this.renderQuestion(q, number, readOnly(index), responses[q.id]));
    }, this);
  };

  /* -- the rules panel ------------------------------------------------------------------- */

  /* `quiz`: the public quiz (signed out) or the service's summary; `summary` adds the student's own. */
  Quiz.prototype.renderRules = function (quiz, summary) {
    var self = this;
    var zone = quiz.timezone || "Asia/Almaty";
    var allowed = summary ? summary.attempts_allowed : quiz.attempts;
    var rows = [];
    function row(key, value) { rows.push(el("dt", { text: self.w("rules." + key) }), el("dd", { text: value })); }
    if (quiz.opens) row("opens", this.moment(quiz.opens, zone));
    if (quiz.closes) row("closes", this.moment(quiz.closes, zone));
    row("time_limit", quiz.time_limit ? this.w("rules.minutes").replace("{minutes}", this.number(quiz.time_limit)) : this.w("rules.no_limit"));
    if (summary) {
      row("attempts_used", allowed ? this.w("rules.used_of").replace("{used}", summary.attempts_used).replace("{allowed}", allowed)
        : String(summary.attempts_used));
      row("attempts_left", summary.attempts_left === null ? this.w("rules.unlimited") : String(summary.attempts_left));
    } else {
      row("attempts", allowed ? String(allowed) : this.w("rules.unlimited"));
    }
    row("pass_mark", this.percent(summary ? summary.pass_mark : quiz.pass_mark));
    var delay = summary ? summary.delay : quiz.delay;
    if (delay) row("delay", this.w("rules.minutes").replace("{minutes}", this.number(delay)));
    this.rules.replaceChildren(el("details", { className: "oqu-quiz__rules", open: "" }, [
      el("summary", { text: this.w("rules.title") }), el("dl", {}, rows)]));
  };

  /* Why the start button is disabled, with the date that lifts it. */
  Quiz.prototype.refusedBecause = function (summary) {
    var zone = summary.timezone;
    switch (summary.start_refused) {
      case "quiz_not_open": return this.w("rules.not_open").replace("{date}", this.moment(summary.opens, zone));
      case "quiz_closed": return this.w("rules.closed").replace("{date}", this.moment(summary.closes, zone));
      case "attempt_delay": return this.w("rules.delay_until").replace("{date}", this.moment(summary.next_start_at, zone));
      case "no_attempts_left": return this.w("no_attempts");
      default: return this.w("unavailable");
    }
  };

  Quiz.prototype.renderSignIn = function () {
    var next = window.location.pathname + window.location.search;
    var href = this.api.replace(/api\/v1\/$/, "") + "auth/login?lang=" + encodeURIComponent(this.lang) +
      "&next=" + encodeURIComponent(next);
    this.actions.replaceChildren(el("a", { href: href, className: "oqu-quiz__sign-in", text: this.w("sign_in") }));
  };

  Quiz.prototype.loadSummary = function () {
    var self = this;
    return this.request("GET", "quizzes/" + this.key).then(function (summary) {
      if (summary.status !== 200) return self.status(self.w("unavailable"));
      if (summary.body.open_attempt) return self.loadAttempt(summary.body.open_attempt);
      self.renderRules(summary.body, summary.body);
      self.renderStart(summary.body, true);
    });
  };

  /* The start button, disabled with its reason while a start would be refused; `withLast`: the
   * last attempt's score and review button (after a review they are on the page already). */
  Quiz.prototype.renderStart = function (summary, withLast) {
    var self = this;
    var last = withLast ? summary.attempts[summary.attempts.length - 1] : null;
    this.actions.replaceChildren();
    if (last && last.percent !== null && last.percent !== undefined) {
      this.actions.appendChild(el("p", { className: "oqu-quiz__result", text: this.w("score") + ": " + this.percent(last.percent) }));
    }
    if (last && last.state !== "open") {
      // The last attempt's review, as its policy allows now (marks, feedback, the teacher's comment).
      var review = el("button", { type: "button", text: this.w("review"), className: "oqu-quiz__review" });
      review.addEventListener("click", function () { self.loadAttempt(last.id); });
      this.actions.appendChild(review);
    }
    var button = el("button", { type: "button", text: this.w("start"), className: "oqu-quiz__start" });
    if (summary.start_refused) {
      var reason = el("p", { className: "oqu-quiz__refused", id: "oqu-refused-" + this.key.replace(/\W/g, "-"), text: this.refusedBecause(summary) });
      button.disabled = true;
      button.setAttribute("aria-describedby", reason.id);
      this.actions.appendChild(button);
      this.actions.appendChild(reason);
      this.wakeAt(summary.start_refused === "quiz_not_open" ? summary.opens : summary.start_refused === "attempt_delay" ? summary.next_start_at : null);
      return;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      self.request("POST", "quizzes/" + self.key + "/attempts", { lang: self.lang }).then(function (r) {
        if (r.status === 200 || r.status === 201) return self.showAttempt(r.body);
        if (r.status === 403 && r.body && r.body.error && r.body.error.code === "proctoring_required") {
          // A proctored attestation: the checks first, then back here (docs/proctoring.md).
          location.href = "/proctoring/" + self.key + "/check?lang=" + self.lang + "&return=" + encodeURIComponent(location.pathname);
          return;
        }
        button.disabled = false;
        self.status(self.refusal(r));
      }, function () { button.disabled = false; self.status(self.w("unavailable")); });
    });
    this.actions.appendChild(button);
  };

  /* Ask again when the reason lifts (the quiz opens, the delay ends), if that is within a day. */
  Quiz.prototype.wakeAt = function (iso) {
    var self = this;
    clearTimeout(this.wake);
    var wait = iso ? Date.parse(iso) - Date.now() + 1000 : -1;
    if (wait > 0 && wait < 86400000) this.wake = setTimeout(function () { self.loadSummary(); }, wait);
  };

  /* Why the service did not start an attempt, in the page's language. */
  /* Never the API's own (English) message on the page: a known code's words, else `fallback`. */
  Quiz.prototype.refusal = function (r, fallback) {
    var code = r.body && r.body.error ? r.body.error.code : "";
    var words = this.w("refused." + code);
    if (words === "refused." + code) return this.w(fallback || "unavailable");
    return words.replace("{minutes}", Math.ceil(r.retryAfter / 60));
  };

  Quiz.prototype.loadAttempt = function (id) {
    var self = this;
    return this.request("GET", "attempts/" + id).then(function (r) {
      if (r.status === 200) self.showAttempt(r.body);
    });
  };

  /* -- the queue of saves, in localStorage ----------------------------------------------- */

  Quiz.prototype.queueKey = function () { return "oqu-quiz-queue-" + this.attempt.id; };
  Quiz.prototype.sequenceKey = function () { return "oqu-quiz-seq-" + this.attempt.id; };

  Quiz.prototype.queue = function () {
    try { return JSON.parse(localStorage.getItem(this.queueKey()) || "[]"); } catch (e) { return []; }
  };

  Quiz.prototype.setQueue = function (items) {
    try { localStorage.setItem(this.queueKey(), JSON.stringify(items)); } catch (e) { /* private mode */ }
    this.pending = items;
  };

  Quiz.prototype.nextSequence = function () {
    var stored = parseInt(localStorage.getItem(this.sequenceKey()) || "0", 10) || 0;
    var seen = this.attempt.answers.reduce(function (max, a) { return Math.max(max, a.sequence); }, 0);
    var next = Math.max(stored, seen) + 1;
    try { localStorage.setItem(this.sequenceKey(), String(next)); } catch (e) { /* private mode */ }
    return next;
  };

  Quiz.prototype.answer = function (questionId, response) {
    this.responses[questionId] = response;
    var sequence = this.nextSequence();
    var save = { question: questionId, response: response, sequence: sequence,
      client_id: "p" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8) };
    this.setQueue(this.queue().concat([save]));
    this.flush();
  };

  Quiz.prototype.flush = function () {
    var self = this;
    if (this.sending) return this.inflight;
    if (!this.attempt) return Promise.resolve(true);
    var items = this.queue();
    if (!items.length) return Promise.resolve(true);
    this.sending = true;
    var save = items[0];
    var body = { response: save.response, sequence: save.sequence, client_id: save.client_id };
    this.inflight = this.request("PUT", "attempts/" + this.attempt.id + "/answers/" + save.question, body)
      .then(function (r) {
        self.sending = false;
        var code = r.body && r.body.error ? r.body.error.code : "";
        if (code === "time_over" || code === "attempt_closed") {
          self.setQueue([]);
          return self.loadAttempt(self.attempt.id).then(function () { return true; });
        }
        if (code === "too_many_guesses") {
          // Refused for this question only: the save leaves the queue, the others go on.
          self.setQueue(self.queue().slice(1));
          var refused = self.w("too_many_guesses").replace("{minutes}", Math.ceil(r.retryAfter / 60));
          return self.flush().then(function (sent) { self.status(refused); return sent; });
        }
        if (r.status === 429) {
          // The service is busy: the save stays first in the queue and goes again when it says.
          self.status(self.w("busy").replace("{seconds}", r.retryAfter));
          setTimeout(function () { self.flush(); }, r.retryAfter * 1000);
          return false;
        }
        // Saved, or refused for good (an older save, a wrong shape): either way it leaves the queue.
        if (r.status === 200 || (r.status >= 400 && r.status < 500 && [401, 403, 429].indexOf(r.status) < 0)) {
          self.setQueue(self.queue().slice(1));
          self.status(self.w("saved"));
          return self.flush();
        }
        self.status(self.refusal(r, "queued"));
        return false;
      }, function () {
        self.sending = false;
        self.status(self.w("queued"));
        setTimeout(function () { self.flush(); }, RETRY_MS);
        return false;
      });
    return this.inflight;
  };

  /* Send until the queue is empty (true) or the network fails (false). */
  Quiz.prototype.drain = function () {
    var self = this;
    return this.flush().then(function (sent) {
      if (!sent) return false;
      return self.queue().length ? self.drain() : true;
    });
  };

  /* -- the attempt ----------------------------------------------------------------------- */

  /* A proctored attempt: the session the check page kept, watched by the service's own script. */
  Quiz.prototype.watchProctoring = function () {
    var id = null;
    try { id = localStorage.getItem("oqu-proctoring-" + this.key); } catch (e) { return; }
    if (!id || this.proctoringWatched) return;
    this.proctoringWatched = true;
    var script = document.createElement("script");
    script.src = "/proctoring/assets/proctor.js";
    script.onload = function () { window.oquProctor.watch(id); };
    document.head.appendChild(script);
  };

  Quiz.prototype.showAttempt = function (attempt) {
    this.attempt = attempt;
    this.clockOffset = Date.parse(attempt.server_time) - Date.now();
    this.shell();
    if (attempt.state !== "open") return this.renderReview(attempt);
    this.watchProctoring();
    var responses = {};
    attempt.answers.forEach(function (a) { responses[a.question] = a.response; });
    this.queue().forEach(function (save) { responses[save.question] = save.response; });
    this.responses = responses;
    this.renderQuestions(attempt.questions, function (index) {
      return attempt.navigation === "sequential" && index < attempt.position;
    }, responses);
    this.renderAttemptActions();
    this.tick();
    this.flush();
  };

  Quiz.prototype.renderAttemptActions = function () {
    var self = this;
    var attempt = this.attempt;
    this.actions.replaceChildren();
    if (attempt.navigation === "sequential" && attempt.position < attempt.question_count - 1) {
      var next = el("button", { type: "button", text: this.w("next") });
      next.addEventListener("click", function () {
        self.drain().then(function () {
          return self.request("POST", "attempts/" + attempt.id + "/next", { position: attempt.position });
        }).then(function (r) { if (r && r.status === 200) self.showAttempt(r.body); });
      });
      this.actions.appendChild(next);
    }
    var submit = el("button", { type: "button", text: this.w("submit"), className: "oqu-quiz__submit" });
    submit.addEventListener("click", function () {
      var missing = self.unanswered();
      if (missing.length) self.confirmSubmit(missing); else self.submit(submit);
    });
    this.actions.appendChild(submit);
  };

  /* The numbers of the questions shown with no answer yet (a description is no question). */
  Quiz.prototype.unanswered = function () {
    var self = this;
    var number = 0;
    var missing = [];
    this.attempt.questions.forEach(function (q) {
      if (q.type === "description") return;
      number += 1;
      if (isUnanswered(q, self.responses[q.id])) missing.push(number);
    });
    return missing;
  };

  /* Submitting with unanswered questions asks first, and names them. */
  Quiz.prototype.confirmSubmit = function (missing) {
    var self = this;
    var list = missing.map(function (n) { return String(n); }).join(", ");
    var text = el("p", { id: "oqu-confirm-" + this.attempt.id, text: this.w("confirm.unanswered").replace("{numbers}", list) });
    var yes = el("button", { type: "button", text: this.w("confirm.submit"), className: "oqu-quiz__submit" });
    var back = el("button", { type: "button", text: this.w("confirm.back") });
    var box = el("div", { className: "oqu-quiz__confirm", role: "alertdialog", "aria-labelledby": text.id }, [text, yes, back]);
    yes.addEventListener("click", function () { self.submit(yes); });
    back.addEventListener("click", function () {
      self.renderAttemptActions();
      var first = self.body.querySelectorAll("[data-question]")[missing[0] - 1];
      var input = first && first.querySelector("input, textarea, select, button");
      if (input) input.focus();
    });
    this.actions.replaceChildren(box);
    back.focus();
  };

  Quiz.prototype.submit = function (button) {
    var self = this;
    button.disabled = true;
    this.drain().then(function (sent) {
      if (!sent) { button.disabled = false; return null; }
      return self.request("POST", "attempts/" + self.attempt.id + "/submit", {}).then(function (r) {
        if (r.status === 200) return self.showAttempt(r.body);
        button.disabled = false;
        self.status(self.refusal(r));
      });
    }, function () { button.disabled = false; });
  };

  Quiz.prototype.tick = function () {
    var self = this;
    var deadline = this.attempt.deadline && Date.parse(this.attempt.deadline);
    if (!deadline) return;
    this.timer.hidden = false;
    clearInterval(this.interval);
    function show() {
      var left = Math.max(0, deadline - (Date.now() + self.clockOffset));
      var s = Math.floor(left / 1000);
      var text = Math.floor(s / 3600) + ":" + ("0" + Math.floor(s / 60) % 60).slice(-2) + ":" + ("0" + s % 60).slice(-2);
      self.timer.textContent = self.w("time_left") + ": " + text;
      if (left <= 0) {
        clearInterval(self.interval);
        self.flush().then(function () { self.loadAttempt(self.attempt.id); });
      }
    }
    show();
    this.interval = setInterval(show, 1000);
  };

  /* -- questions ------------------------------------------------------------------------- */

  Quiz.prototype.renderQuestion = function (q, number, readOnly, given) {
    var self = this;
    if (q.type === "description") return el("div", { className: "oqu-quiz__description" }, [questionText(q)]);
    var legend = el("legend", {}, [el("span", { text: number + ". " }), questionText(q)]);
    var fieldset = el("fieldset", { "data-question": q.id }, [legend]);
    var name = "q-" + (this.attempt ? this.attempt.id : "p") + "-" + q.id;
    function send(response) { if (!readOnly) self.answer(q.id, response); }
    var controls = (RENDER[q.type] || function () { return []; })(q, name, given, send, self);
    controls.forEach(function (c) { fieldset.appendChild(c); });
    if (readOnly) fieldset.disabled = true;
    return fieldset;
  };

  function choice(type, name, value, text, checked, onChange) {
    var input = el("input", { type: type, name: name, value: value });
    input.checked = !!checked;
    input.addEventListener("change", onChange);
    return el("label", {}, [input, document.createTextNode(" " + text)]);
  }

  function textInput(label, value, onChange, multiline) {
    var input = el(multiline ? "textarea" : "input", multiline ? { "aria-label": label } : { type: "text", "aria-label": label });
    input.value = value === undefined || value === null ? "" : value;
    input.addEventListener("change", function () { onChange(input.value); });
    return input;
  }

  var RENDER = {
    single: function (q, name, given, send) {
      return q.options.map(function (o) {
        return choice("radio", name, o.id, o.text, given === o.id, function () { send(o.id); });
      });
    },
    multiple: function (q, name, given, send) {
      var boxes = [];
      var labels = q.options.map(function (o) {
        var label = choice("checkbox", name, o.id, o.text, (given || []).indexOf(o.id) >= 0, function () {
          send(boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; }));
        });
        boxes.push(label.firstChild);
        return label;
      });
      return labels;
    },
    "true-false": function (q, name, given, send, quiz) {
      return [
        choice("radio", name, "true", quiz.w("true"), given === true, function () { send(true); }),
        choice("radio", name, "false", quiz.w("false"), given === false, function () { send(false); }),
      ];
    },
    short: function (q, name, given, send, quiz) { return [textInput(quiz.w("answer"), given, send)]; },
    numeric: function (q, name, given, send, quiz) {
      var input = textInput(quiz.w("answer"), given, send);
      input.setAttribute("inputmode", "decimal");
      return [input];
    },
    essay: function (q, name, given, send, quiz) { return [textInput(quiz.w("answer"), given, send, true)]; },
    description: function () { return []; },
    "fill-blanks": function (q, name, given, send, quiz) {
      var values = (given || []).slice();
      var inputs = [];
      for (var i = 0; i < q.blanks; i++) {
        (function (n) {
          inputs.push(el("label", {}, [document.createTextNode(quiz.w("blank") + " " + (n + 1) + " "),
            textInput(quiz.w("blank") + " " + (n + 1), values[n], function (value) {
              for (var k = 0; k < q.blanks; k++) values[k] = values[k] || "";
              values[n] = value;
              send(values.slice());
            })]));
        })(i);
      }
      return inputs;
    },
    matching: function (q, name, given, send, quiz) {
      var chosen = Object.assign({}, given || {});
      return q.left.map(function (left) {
        var select = el("select", { "aria-label": left.text });
        select.appendChild(el("option", { value: "", text: quiz.w("choose") }));
        q.right.forEach(function (right) {
          var option = el("option", { value: right.id, text: right.text });
          if (chosen[left.id] === right.id) option.selected = true;
          select.appendChild(option);
        });
        select.addEventListener("change", function () {
          if (select.value) chosen[left.id] = select.value; else delete chosen[left.id];
          send(Object.assign({}, chosen));
        });
        return el("label", {}, [document.createTextNode(left.text + " "), select]);
      });
    },
    ordering: function (q, name, given, send, quiz) {
      var byId = {};
      q.items.forEach(function (item) { byId[item.id] = item; });
      var order = (given && given.length === q.items.length) ? given.slice() : q.items.map(function (i) { return i.id; });
      var list = el("ol", { className: "oqu-quiz__order" });
      function draw() {
        list.replaceChildren();
        order.forEach(function (id, pos) {
          var up = el("button", { type: "button", text: "↑", "aria-label": quiz.w("up") + ": " + byId[id].text });
          var down = el("button", { type: "button", text: "↓", "aria-label": quiz.w("down") + ": " + byId[id].text });
          up.disabled = pos === 0;
          down.disabled = pos === order.length - 1;
          up.addEventListener("click", function () { move(pos, -1); });
          down.addEventListener("click", function () { move(pos, 1); });
          list.appendChild(el("li", {}, [el("span", { text: byId[id].text + " " }), up, down]));
        });
      }
      function move(pos, step) {
        var item = order.splice(pos, 1)[0];
        order.splice(pos + step, 0, item);
        draw();
        send(order.slice());
      }
      draw();
      return [list];
    },
  };

  /* -- the review ------------------------------------------------------------------------ */

  Quiz.prototype.renderReview = function (attempt) {
    var self = this;
    var review = attempt.review || { questions: [] };
    this.body.appendChild(el("p", { text: this.w("finished") }));
    if (review.percent !== null && review.percent !== undefined) {
      var verdict = review.passed ? this.w("passed") : this.w("failed");
      this.body.appendChild(el("p", { className: "oqu-quiz__result",
        text: this.w("score") + ": " + this.number(review.points) + " / " + this.number(review.max_points) +
          " (" + this.percent(review.percent) + ") — " + verdict }));
    } else if (attempt.result_withheld) {
      this.body.appendChild(el("p", { className: "oqu-quiz__result", text: this.w("proctoring_withheld") }));
      var session = null;
      try { session = localStorage.getItem("oqu-proctoring-" + this.key); } catch (e) { /* private mode */ }
      if (session) {
        this.body.appendChild(el("a", { href: "/proctoring/sessions/" + encodeURIComponent(session) + "?lang=" + this.lang,
          text: this.w("proctoring_decision") }));
      }
    } else {
      this.body.appendChild(el("p", { className: "oqu-quiz__result", text: this.w("later") }));
    }
    if (review.overall_feedback) {
      this.body.appendChild(el("p", { className: "oqu-quiz__overall", text: review.overall_feedback }));
    }
    var byId = {};
    attempt.questions.forEach(function (q) { byId[q.id] = q; });
    var given = {};
    attempt.answers.forEach(function (a) { given[a.question] = a.response; });
    review.questions.forEach(function (item, index) {
      var q = byId[item.id];
      if (!q) return;
      var parts = [el("strong", { text: (index + 1) + ". " }), questionText(q)];
      var box = el("div", { className: "oqu-quiz__reviewed" }, [el("p", {}, parts)]);
      if (item.state) {
        box.appendChild(el("p", { className: "oqu-quiz__state--" + item.state, text: self.w("state." + item.state) +
          (item.points !== null && item.points !== undefined ?
            " (" + self.number(item.points) + " / " + self.number(item.max_points) + ")" : "") }));
      }
      var yours = self.responseInWords(q, given[q.id]);
      if (yours.length) {
        box.appendChild(el("p", { className: "oqu-quiz__yours", text: self.w("your_answer") + ": " + yours.join("; ") }));
      }
      (item.feedback || []).forEach(function (text) { box.appendChild(el("p", { text: text })); });
      if (item.comment) {
        box.appendChild(el("p", { className: "oqu-quiz__comment", text: self.w("comment") + ": " + item.comment }));
      }
      if (item.right_answer && item.right_answer.length) {
        box.appendChild(el("p", { text: self.w("right_answer") + ": " + item.right_answer.join("; ") }));
      }
      self.body.appendChild(box);
    });
    this.loadSummaryAfterReview();
  };

  /* The student's own answer in words: option texts for ids, the page's words for true/false. */
  Quiz.prototype.responseInWords = function (q, response) {
    if (isUnanswered(q, response)) return [];
    var texts = {};
    (q.options || []).concat(q.items || [], q.right || [], q.left || []).forEach(function (o) { texts[o.id] = o.text; });
    if (q.type === "true-false") return [this.w(response ? "true" : "false")];
    if (q.type === "single") return [texts[response] || String(response)];
    if (q.type === "multiple" || q.type === "ordering") return response.map(function (id) { return texts[id] || String(id); });
    if (q.type === "matching") {
      return (q.left || []).filter(function (left) { return response[left.id]; }).map(function (left) {
        return left.text + " → " + (texts[response[left.id]] || response[left.id]);
      });
    }
    if (q.type === "fill-blanks") return response.map(function (v, i) { return (i + 1) + ") " + (v || "—"); });
    return [String(response)];
  };

  Quiz.prototype.loadSummaryAfterReview = function () {
    var self = this;
    this.request("GET", "quizzes/" + this.key).then(function (summary) {
      if (summary.status !== 200) return;
      self.renderRules(summary.body, summary.body);
      self.renderStart(summary.body, false);
    });
  };

  function startAll() {
    if (!window.fetch || !window.localStorage || window.location.protocol === "file:") return;
    Array.prototype.forEach.call(document.querySelectorAll(".oqu-quiz[data-quiz]"), function (box) {
      new Quiz(box).start();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
