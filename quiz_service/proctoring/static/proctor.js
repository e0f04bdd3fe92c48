/* Proctoring in the browser: plain JavaScript, nothing from a CDN. An on-device model (Human,
 * vendored with its weights under human/, run by device.js in a Web Worker on one 320-pixel
 * frame every 3 seconds) counts faces and bodies and measures the head's yaw; its counts go to
 * the service, which flags with the same sustained window as its own analysis of the snapshots
 * (the server's second opinion). When the model cannot load, the page says so and the server
 * analyses alone: the exam never waits for it. Two parts:
 *  - the check page (/proctoring/<course>/<quiz>/check): consent, camera and microphone, the ID
 *    photo, the live photo and a 15-second room scan (MediaRecorder), each uploaded in chunks
 *    with retries;
 *  - oquProctor.watch(sessionId) on the quiz page during the attempt: a snapshot every
 *    `snapshot_every` seconds, and the page's events (tab hidden, window blur, full screen
 *    left, copy, paste, microphone level over the threshold) sent in batches with their
 *    start and end. The browser never decides: the server flags only what lasted.
 */
(function () {
  "use strict";
  var API = "/api/v1/proctoring/";
  var ASSETS = "/proctoring/assets/";
  var DEVICE_EVERY = 3000;  // ms between two frames given to the model (never two at once)
  var DEVICE_WIDTH = 320;  // pixels: the model's frames are small
  var DEVICE_LOAD_LIMIT = 120000;  // ms: a model not ready by then is given up (server only)
  var BACKEND_WORDS = { humangl: "Webgl", webgl: "Webgl", wasm: "Wasm", cpu: "Cpu" };  // data-w-backend-*
  var csrf = "";

  function request(method, url, body, raw) {
    var headers = { "X-CSRF-Token": csrf };
    if (!raw) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: raw ? body : (body === undefined ? undefined : JSON.stringify(body))
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) { return { status: r.status, body: json }; });
    });
  }

  function csrfToken() {
    return fetch("/api/v1/me", { credentials: "same-origin" }).then(function (r) { return r.json(); })
      .then(function (me) { csrf = me.csrf_token || ""; });
  }

  function wait(ms) { return new Promise(function (ok) { setTimeout(ok, ms); }); }

  /* Upload a blob in chunks; a failed chunk is retried from the byte the server has. */
  function upload(sessionId, kind, blob) {
    return request("POST", API + "sessions/" + sessionId + "/uploads", { kind: kind, size: blob.size }).then(function (r) {
      if (r.status !== 201) throw new Error(r.body.error ? r.body.error.code : "upload");
      var up = r.body, tries = 0;
      function next(offset) {
        var chunk = blob.slice(offset, Math.min(offset + up.chunk, blob.size));
        return request("PUT", API + "uploads/" + up.id + "?offset=" + offset, chunk, true).then(function (r2) {
          if (r2.status === 200) return r2.body.media_id ? r2.body : next(r2.body.received);
          if (r2.status === 409 && r2.body.error && r2.body.error.code === "upload_offset" && tries++ < 5) return next(0);
          throw new Error(r2.body.error ? r2.body.error.code : "upload");
        }, function () {
          if (tries++ >= 5) throw new Error("network");
          return wait(1000 * tries).then(function () { return next(offset); });
        });
      }
      return next(0);
    });
  }

  function frame(video) {
    var canvas = document.createElement("canvas");
    canvas.width = video.videoWidth || 640; canvas.height = video.videoHeight || 480;
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (ok) { canvas.toBlob(ok, "image/jpeg", 0.8); });
  }

  /* The on-device model in its worker: resolves {worker, backend} or null when it cannot run.
   * The worker chooses the backends' order by the machine (backends.js): with a real GPU WebGL
   * (Human's "humangl"), then WebAssembly, then the CPU; where WebGL is missing or a software
   * renderer (SwiftShader, llvmpipe: no usable GPU) WebAssembly, then the CPU. */
  function startDevice(backends) {
    return new Promise(function (ok) {
      var worker;
      try { worker = new Worker(ASSETS + "device.js", { type: "module" }); } catch (e) { return ok(null); }
      var give_up = function () { worker.terminate(); ok(null); };
      var timer = setTimeout(give_up, DEVICE_LOAD_LIMIT);
      worker.onerror = function () { clearTimeout(timer); give_up(); };
      worker.onmessage = function (e) {
        clearTimeout(timer);
        if (e.data.type !== "ready") return give_up();
        ok({ worker: worker, backend: e.data.backend });
      };
      worker.postMessage({ type: "init", backends: backends });
    });
  }

  /* One small frame every DEVICE_EVERY ms, the next only once the last is answered. */
  function runDevice(device, video, onResult) {
    var busy = false;
    device.worker.onmessage = function (e) {
      busy = false;
      if (e.data.type === "result") onResult(e.data);
    };
    return setInterval(function () {
      if (busy || video.readyState < 2 || !video.videoWidth) return;
      busy = true;
      var height = Math.round(DEVICE_WIDTH * video.videoHeight / video.videoWidth);
      createImageBitmap(video, { resizeWidth: DEVICE_WIDTH, resizeHeight: height }).then(function (bitmap) {
        device.worker.postMessage({ type: "frame", image: bitmap, at: new Date().toISOString() }, [bitmap]);
      }, function () { busy = false; });
    }, DEVICE_EVERY);
  }

  function remember(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }

  /* -- the check page ---------------------------------------------------------------------- */

  function checkPage(root) {
    var $ = function (id) { return document.getElementById(id); };
    var course = root.dataset.course, quiz = root.dataset.quiz, session = null, stream = null;
    csrf = root.dataset.csrf;
    var say = function (text) { $("status").textContent = text; };
    function show(s) {
      session = s;
      ["consent", "id_photo", "live_photo", "room_scan"].forEach(function (step) {
        $("step-" + step).className = s.checks[step] ? "pr-done" : "";
      });
      $("consent").checked = s.checks.consent;
      if (s.state !== "checking") {
        $("ready").hidden = false;
        try { localStorage.setItem("oqu-proctoring-" + course + "/" + quiz, String(s.id)); } catch (e) { /* private mode */ }
      }
    }
    function consent() {
      request("POST", API + "sessions/" + session.id + "/consent", {}).then(function (r) { show(r.body); });
    }
    request("POST", API + course + "/" + quiz + "/session", {}).then(function (r) {
      if (r.status !== 200) return;
      var ticked = $("consent").checked;  /* ticked before the session came: sent now, not lost */
      show(r.body);
      if (ticked && !r.body.checks.consent) {
        $("consent").checked = true;  /* in the same task: the box never shows unticked */
        consent();
      }
    });
    $("consent").addEventListener("change", function () {
      if ($("consent").checked && session) consent();
    });
    $("camera-on").addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (s) {
        stream = s; $("camera").srcObject = s;
        ["take-id", "take-live", "record-room"].forEach(function (id) { $(id).disabled = false; });
        checkDevice();
      }, function () { say(root.dataset.wCameraFailed); });
    });
    /* The device check: does the model load here, and how long a frame takes (never blocking). */
    function checkDevice() {
      var line = $("device");
      remember("oqu-proctoring-device-off", root.dataset.wDeviceOff);
      line.textContent = root.dataset.wDeviceLoading;
      startDevice().then(function (device) {
        if (!device) { line.textContent = root.dataset.wDeviceOff; line.className = "pr-off"; return; }
        var timer = runDevice(device, $("camera"), function (result) {
          clearInterval(timer);
          device.worker.terminate();
          line.textContent = root.dataset.wDeviceReady
            .replace("{backend}", root.dataset["wBackend" + BACKEND_WORDS[device.backend]] || device.backend)
            .replace("{ms}", String(Math.round(result.ms)));
          line.className = "pr-done";
        });
      });
    }
    function photo(kind) {
      say(root.dataset.wUploading);
      frame($("camera")).then(function (blob) { return upload(session.id, kind, blob); })
        .then(refresh, function () { say(root.dataset.wUploadFailed); });
    }
    function refresh() {
      say("");
      return request("GET", API + "sessions/" + session.id).then(function (r) { show(r.body); });
    }
    $("take-id").addEventListener("click", function () { photo("id_photo"); });
    $("take-live").addEventListener("click", function () { photo("live_photo"); });
    $("record-room").addEventListener("click", function () {
      var type = MediaRecorder.isTypeSupported("video/webm") ? "video/webm" : "video/mp4";
      var recorder = new MediaRecorder(new MediaStream(stream.getVideoTracks()), { mimeType: type, videoBitsPerSecond: 400000 });
      var parts = [];
      recorder.ondataavailable = function (e) { if (e.data.size) parts.push(e.data); };
      recorder.onstop = function () {
        say(root.dataset.wUploading);
        upload(session.id, "room_scan", new Blob(parts, { type: type })).then(refresh, function () { say(root.dataset.wUploadFailed); });
      };
      say(root.dataset.wRecording);
      recorder.start(1000);
      setTimeout(function () { recorder.stop(); }, 1000 * (parseInt(root.dataset.scanSeconds, 10) || 15));
    });
    var back = $("back");
    var from = new URLSearchParams(location.search).get("return");
    if (from && from.charAt(0) === "/" && from.charAt(1) !== "/") back.href = from;
  }

  /* -- during the attempt ------------------------------------------------------------------ */

  function watch(sessionId) {
    var events = [], open = {}, video = document.createElement("video"), policy = null;
    video.muted = true; video.playsInline = true;
    function begin(kind) { if (!open[kind]) open[kind] = new Date(); }
    function end(kind) {
      if (!open[kind]) return;
      events.push({ kind: kind, started_at: open[kind].toISOString(), ended_at: new Date().toISOString() });
      delete open[kind];
    }
    function once(kind) { events.push({ kind: kind, started_at: new Date().toISOString() }); }
    document.addEventListener("visibilitychange", function () { document.hidden ? begin("tab_hidden") : end("tab_hidden"); });
    window.addEventListener("blur", function () { begin("blur"); });
    window.addEventListener("focus", function () { end("blur"); });
    document.addEventListener("fullscreenchange", function () { document.fullscreenElement ? end("fullscreen_exit") : begin("fullscreen_exit"); });
    document.addEventListener("copy", function () { once("copy"); });
    document.addEventListener("paste", function () { once("paste"); });
    if (window.screen && window.screen.isExtended) once("screens");
    function flush() {
      if (!events.length) return Promise.resolve();
      var batch = events.splice(0, events.length);
      return request("POST", API + "sessions/" + sessionId + "/events", { sent_at: new Date().toISOString(), events: batch })
        .then(function (r) { if (r.status >= 500) events = batch.concat(events); }, function () { events = batch.concat(events); });
    }
    var frames = [], backend = null;
    function flushFrames() {
      if (!backend || (!frames.length && backend !== "off")) return Promise.resolve();
      var batch = frames.splice(0, frames.length), sent = backend;
      if (backend === "off") backend = null;  // said once
      return request("POST", API + "sessions/" + sessionId + "/frames", { sent_at: new Date().toISOString(), backend: sent, frames: batch })
        .then(function (r) { if (r.status >= 500) frames = batch.concat(frames); }, function () { frames = batch.concat(frames); });
    }
    function deviceOff() {
      backend = "off";
      var quiz = document.querySelector(".oqu-quiz"), text = null;
      try { text = localStorage.getItem("oqu-proctoring-device-off"); } catch (e) { /* private mode */ }
      if (!quiz || !text) return;
      var note = document.createElement("p");
      note.className = "oqu-proctoring-device"; note.setAttribute("role", "status"); note.textContent = text;
      quiz.insertBefore(note, quiz.firstChild);
    }
    function onDevice() {
      startDevice().then(function (device) {
        if (!device) return deviceOff();
        backend = device.backend;
        runDevice(device, video, function (result) {
          frames.push({ at: result.at, faces: result.faces, bodies: result.bodies, yaw: result.yaw, ms: result.ms });
          if (frames.length >= 100) frames.shift();
        });
      });
    }
    function listen(stream) {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      if (!AudioContext || !stream.getAudioTracks().length) return;
      var context = new AudioContext(), analyser = context.createAnalyser(), data = new Float32Array(1024);
      context.createMediaStreamSource(stream).connect(analyser);
      setInterval(function () {
        analyser.getFloatTimeDomainData(data);
        var sum = 0;
        for (var i = 0; i < data.length; i++) sum += data[i] * data[i];
        Math.sqrt(sum / data.length) > policy.noise_level ? begin("noise") : end("noise");
      }, 250);
    }
    return csrfToken().then(function () { return request("GET", API + "sessions/" + sessionId); }).then(function (r) {
      if (r.status !== 200 || r.body.state !== "started") return;
      policy = r.body.policy;
      setInterval(flush, 10000);
      setInterval(flushFrames, Math.max(10, Math.min(30, policy.snapshot_every)) * 1000);
      window.addEventListener("pagehide", flush);
      window.addEventListener("pagehide", flushFrames);
      return navigator.mediaDevices.getUserMedia({ video: true, audio: true }).then(function (stream) {
        video.srcObject = stream; video.play();
        listen(stream);
        onDevice();
        setInterval(function () {
          frame(video).then(function (blob) { return upload(sessionId, "snapshot", blob); }).catch(function () { /* the server sees the gap */ });
        }, policy.snapshot_every * 1000);
      });
    });
  }

  window.oquProctor = { watch: watch, upload: upload, device: { start: startDevice, run: runDevice } };
  var root = document.getElementById("proctor-check");
  if (root) checkPage(root);
})();
