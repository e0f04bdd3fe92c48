/* oqu tracking: a signed-in reader's activity on the page, as xAPI statements for the footprint
 * (POST /api/v1/statements; docs/footprint.md). Signed-out readers are not tracked at all.
 *
 * Recorded: the lesson opened (experienced), read to the end (completed: scrolled to 90 % after
 * 15 s of reading), the time on the page (terminated, with the visible time only); a video
 * played, paused, seeked, completed and left, by the xAPI video profile, with its played
 * segments merged and progress as their share of the video, never the slider's position; a
 * file downloaded; the search used (not what was searched).
 *
 * Every statement gets its id when it is made and waits in a queue in localStorage: the queue
 * goes out in batches (10, or every 5 s), again after a failure and when the network returns;
 * the service records an id once, so a retry never duplicates. On page hide the queue goes out
 * with fetch(keepalive), the sendBeacon of requests that need a header (sendBeacon cannot send
 * the CSRF header the API asks of a browser session); what does not make it is sent by the
 * next page. Activity ids are the page's address (its canonical URL when the site has one).
 */
(function () {
  "use strict";

  var QUEUE = "oqu-statements-queue";
  var BATCH = 10;
  var MOST = 50; // statements in one request (the service takes 100; a keepalive body at most 64 kB)
  var FLUSH_MS = 5000;
  var READ_DEPTH = 0.9;
  var READ_SECONDS = 15;
  var THRESHOLD = 0.95; // of the video, by merged played segments, for "completed"
  var ADL = "http://adlnet.gov/expapi/verbs/";
  var VIDEO = "https://w3id.org/xapi/video";
  var EXT = VIDEO + "/extensions/";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function round3(x) { return Math.round(x * 1000) / 1000; }

  function seconds(s) { return "PT" + round3(Math.max(0, s)) + "S"; }

  /* -- played segments, merged (the same rule as the service's video.merge_segments) ------- */

  function merge(segments) {
    var sorted = segments.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    var merged = [];
    sorted.forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    });
    return merged;
  }

  function played(segments) {
    return merge(segments).reduce(function (sum, s) { return sum + s[1] - s[0]; }, 0);
  }

  function formatSegments(segments) {
    return merge(segments).map(function (s) { return round3(s[0]) + "[.]" + round3(s[1]); }).join("[,]");
  }

  /* -- the queue ---------------------------------------------------------------------------- */

  function Tracker(api, csrf) {
    this.api = api;
    this.csrf = csrf;
    this.sending = false;
    this.timer = null;
  }

  Tracker.prototype.queue = function () {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  };

  Tracker.prototype.keep = function (items) {
    try { localStorage.setItem(QUEUE, JSON.stringify(items)); } catch (e) { /* private mode, full */ }
  };

  Tracker.prototype.record = function (statement) {
    statement.id = uuid();
    statement.timestamp = new Date().toISOString();
    var items = this.queue();
    items.push(statement);
    this.keep(items);
    if (items.length >= BATCH) this.flush(false);
    else this.soon();
  };

  Tracker.prototype.soon = function () {
    var self = this;
    if (!this.timer) this.timer = setTimeout(function () { self.timer = null; self.flush(false); }, FLUSH_MS);
  };

  Tracker.prototype.flush = function (leaving) {
    var self = this;
    if (this.sending && !leaving) return;
    var items = this.queue().slice(0, MOST);
    if (!items.length) return;
    this.sending = true;
    fetch(this.api + "statements", {
      method: "POST",
      credentials: "same-origin",
      keepalive: leaving,
      headers: { "Content-Type": "application/json", "X-CSRF-Token": this.csrf, "X-Experience-API-Version": "1.0.3" },
      body: JSON.stringify(items),
    }).then(function (response) {
      self.sending = false;
      // Recorded (200), or refused for good (409, 422: a retry would be refused again): out of
      // the queue. Anything else (signed out, the service away) stays for a later try.
      if (response.ok || response.status === 409 || response.status === 422) {
        var sent = {};
        items.forEach(function (item) { sent[item.id] = true; });
        self.keep(self.queue().filter(function (item) { return !sent[item.id]; }));
        if (self.queue().length) self.flush(false);
      } else {
        self.soon();
      }
    }).catch(function () {
      self.sending = false;
      self.soon();
    });
  };

  /* -- the lesson ---------------------------------------------------------------------------- */

  function Lesson(tracker) {
    var canonical = document.querySelector("link[rel=canonical]");
    this.tracker = tracker;
    this.id = canonical ? canonical.href : window.location.origin + window.location.pathname;
    this.lang = document.documentElement.lang || "kk";
    var heading = document.querySelector("article h1, h1");
    this.name = ((heading && heading.textContent) || document.title || this.id).trim();
    var course = window.location.pathname.match(/^(\/[^/]+\/courses\/[^/]+\/)/);
    this.course = course ? window.location.origin + course[1] : null;
    this.visible = 0;
    this.shownAt = document.visibilityState === "visible" ? Date.now() : null;
    this.depth = 0;
    this.read = false;
  }

  Lesson.prototype.extension = function (name) { return window.location.origin + "/xapi/extensions/" + name; };

  Lesson.prototype.object = function () {
    var name = {};
    name[this.lang] = this.name;
    return { objectType: "Activity", id: this.id,
             definition: { type: "http://adlnet.gov/expapi/activities/lesson", name: name } };
  };

  Lesson.prototype.context = function (more) {
    var context = { language: this.lang };
    if (this.course) context.contextActivities = { grouping: [{ objectType: "Activity", id: this.course }] };
    Object.keys(more || {}).forEach(function (key) { context[key] = more[key]; });
    return context;
  };

  Lesson.prototype.send = function (verb, display, object, result, context) {
    var statement = { verb: { id: verb, display: { en: display } }, object: object, context: context };
    if (result) statement.result = result;
    this.tracker.record(statement);
  };

  Lesson.prototype.visibleSeconds = function () {
    return (this.visible + (this.shownAt ? Date.now() - this.shownAt : 0)) / 1000;
  };

  Lesson.prototype.measure = function () {
    var page = document.documentElement;
    var depth = Math.min(1, (window.scrollY + window.innerHeight) / Math.max(page.scrollHeight, 1));
    this.depth = Math.max(this.depth, depth);
    if (!this.read && this.depth >= READ_DEPTH && this.visibleSeconds() >= READ_SECONDS) {
      this.read = true;
      var extensions = {};
      extensions[this.extension("scroll-depth")] = round3(this.depth);
      this.send(ADL + "completed", "completed", this.object(),
                { completion: true, duration: seconds(this.visibleSeconds()), extensions: extensions }, this.context());
    }
  };

  Lesson.prototype.start = function () {
    var self = this;
    this.send(ADL + "experienced", "experienced", this.object(), null, this.context());
    var pending = false;
    window.addEventListener("scroll", function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () { pending = false; self.measure(); });
    }, { passive: true });
    setInterval(function () { self.measure(); }, FLUSH_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.shownAt = Date.now();
      else if (self.shownAt) { self.visible += Date.now() - self.shownAt; self.shownAt = null; }
    });
    document.querySelectorAll("video").forEach(function (video, index) { new Video(self, video, index).start(); });
    this.watchDownloads();
    this.watchSearch();
    window.addEventListener("pagehide", function () { self.leave(); });
    window.addEventListener("online", function () { self.tracker.flush(false); });
  };

  Lesson.prototype.leave = function () {
    if (this.left) return;
    this.left = true;
    this.measure();
    (this.videos || []).forEach(function (video) { video.leave(); });
    var extensions = {};
    extensions[this.extension("scroll-depth")] = round3(this.depth);
    this.send(ADL + "terminated", "terminated", this.object(),
              { duration: seconds(this.visibleSeconds()), extensions: extensions }, this.context());
    this.tracker.flush(true);
  };

  Lesson.prototype.watchDownloads = function () {
    var self = this;
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || !(link.hasAttribute("download") || /\.(pdf|docx?|xlsx?|pptx?|odt|zip|epub|mp3|mp4)$/i.test(link.pathname))) return;
      var name = {};
      name[self.lang] = (link.textContent || link.href).trim() || link.href;
      self.send("http://id.tincanapi.com/verb/downloaded", "downloaded",
                { objectType: "Activity", id: link.href,
                  definition: { type: "http://adlnet.gov/expapi/activities/file", name: name } },
                null, self.context({ contextActivities: { parent: [{ objectType: "Activity", id: self.id }] } }));
    });
  };

  Lesson.prototype.watchSearch = function () {
    var self = this;
    var input = document.querySelector("input.md-search__input, [data-oqu-search] input");
    if (!input) return;
    var done = false;
    input.addEventListener("change", function () {
      if (done || !input.value.trim()) return;
      done = true; // once a page: that the search was used, never what was searched
      self.send("https://w3id.org/xapi/acrossx/verbs/searched", "searched",
                { objectType: "Activity", id: window.location.origin + "/" + self.lang + "/search" }, null, self.context());
    });
  };

  /* -- a video (https://w3id.org/xapi/video) -------------------------------------------------- */

  function Video(lesson, media, index) {
    this.lesson = lesson;
    this.media = media;
    this.session = uuid();
    this.segments = [];
    this.from = null; // where the current stretch of playing began
    this.last = 0; // the latest time seen: where a seek started from
    this.completed = false;
    this.id = lesson.id + "#" + (media.id || "video-" + (index + 1));
    (lesson.videos = lesson.videos || []).push(this);
  }

  Video.prototype.length = function () { return isFinite(this.media.duration) ? round3(this.media.duration) : 0; };

  Video.prototype.close = function (at) {
    if (this.from !== null && at >= this.from) this.segments.push([this.from, at]);
    this.from = null;
  };

  Video.prototype.progress = function () {
    var length = this.length();
    return length ? round3(Math.min(1, played(this.segments) / length)) : 0;
  };

  Video.prototype.send = function (verb, display, extensions, more) {
    var result = { extensions: extensions };
    Object.keys(more || {}).forEach(function (key) { result[key] = more[key]; });
    var context = {};
    context[EXT + "session-id"] = this.session;
    context[EXT + "length"] = this.length();
    context[EXT + "completion-threshold"] = THRESHOLD;
    var name = {};
    name[this.lesson.lang] = this.lesson.name;
    this.lesson.send(verb, display,
                     { objectType: "Activity", id: this.id, definition: { type: VIDEO + "/activity-type/video", name: name } },
                     result,
                     this.lesson.context({ contextActivities: { category: [{ id: VIDEO }],
                                                                parent: [{ objectType: "Activity", id: this.lesson.id }] },
                                           extensions: context }));
  };

  Video.prototype.state = function (time) {
    var at = round3(Math.min(time, this.length() || time));
    var extensions = {};
    extensions[EXT + "time"] = at;
    extensions[EXT + "progress"] = this.progress();
    extensions[EXT + "played-segments"] = formatSegments(this.segments);
    return extensions;
  };

  Video.prototype.start = function () {
    var self = this;
    var media = this.media;
    function playing() {
      self.from = media.currentTime;
      var extensions = {};
      extensions[EXT + "time"] = round3(media.currentTime);
      self.send(VIDEO + "/verbs/played", "played", extensions);
    }
    media.addEventListener("play", playing);
    media.addEventListener("timeupdate", function () {
      if (!media.seeking) self.last = media.currentTime;
      if (!self.completed && self.length() && self.from !== null) {
        var now = media.currentTime;
        var upTo = self.segments.concat([[self.from, now]]);
        if (played(upTo) / self.length() >= THRESHOLD) {
          self.close(now);
          self.from = media.paused ? null : now;
          self.completed = true;
          self.send(ADL + "completed", "completed", self.state(now),
                    { completion: true, duration: seconds(played(self.segments)) });
        }
      }
    });
    media.addEventListener("pause", function () {
      self.close(media.currentTime);
      self.send(VIDEO + "/verbs/paused", "paused", self.state(media.currentTime));
    });
    media.addEventListener("seeking", function () {
      if (self.from !== null) { self.close(self.last); self.seekedWhilePlaying = true; }
    });
    media.addEventListener("seeked", function () {
      var extensions = {};
      extensions[EXT + "time-from"] = round3(self.last);
      extensions[EXT + "time-to"] = round3(media.currentTime);
      self.send(VIDEO + "/verbs/seeked", "seeked", extensions);
      self.last = media.currentTime;
      if (!media.paused) self.from = media.currentTime;
    });
    // Started before this page's tracking did (it waits for the account check, a request): the
    // stretch counts from here, as if the play event came now, instead of never.
    if (!media.paused && !media.ended) playing();
  };

  Video.prototype.leave = function () {
    if (!this.segments.length && this.from === null) return; // never played
    this.close(this.media.currentTime);
    this.send(ADL + "terminated", "terminated", this.state(this.media.currentTime));
  };

  /* -- start: only for a signed-in reader ----------------------------------------------------- */

  function start() {
    var account = document.querySelector("[data-oqu-account]");
    if (!account || !window.fetch || !window.localStorage || window.location.protocol === "file:") return;
    var base = account.getAttribute("data-service") || "/";
    var api = (base.charAt(base.length - 1) === "/" ? base : base + "/") + "api/v1/";
    fetch(api + "me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (me) {
        if (!me || !me.csrf_token) return; // signed out: nothing is recorded about this reader
        var tracker = new Tracker(api, me.csrf_token);
        tracker.flush(false); // what an earlier page could not send
        new Lesson(tracker).start();
      })
      .catch(function () { /* no service: the page reads as before */ });
  }

  window.oquTracking = { merge: merge, played: played, formatSegments: formatSegments };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
