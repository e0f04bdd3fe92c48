/* The on-device proctoring model, in a module Web Worker (never on the page's main thread).
 * Human (vendored from npm, human/VENDOR.md) with the smallest face detector, the face mesh for
 * the head pose and MoveNet Lightning for the body, its weights served from our own site.
 *
 * Messages in:  {type: "init"} (backends chosen by this machine's WebGL renderer: backends.js)
 *               or {type: "init", backends: ["wasm"]} (a given order: the bench)
 *               {type: "frame", image: ImageBitmap | ImageData, at: ISO time}
 * Messages out: {type: "ready", backend, warmup_ms} or {type: "failed", reason}
 *               {type: "result", at, faces, bodies, yaw, ms}
 * The worker measures; it never decides. The page sends the results to the service, where
 * the same sustained window as the server's snapshots decides what is flagged. */
import { Human } from "./human/human.esm.js";
import { backendsFor, webglRenderer } from "./backends.js";

var BASE = new URL("./human/models/", import.meta.url).href;
var WASM = new URL("./human/wasm/", import.meta.url).href;  // TensorFlow.js's WASM backend's .wasm files
var human = null;

function config(backend) {
  return {
    backend: backend, modelBasePath: BASE, wasmPath: WASM, debug: false, async: true, warmup: "none",
    cacheSensitivity: 0, filter: { enabled: false },
    face: {
      enabled: true,
      detector: { modelPath: "blazeface.json", rotation: false, maxDetected: 4, minConfidence: 0.5, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true, modelPath: "facemesh.json" },
      iris: { enabled: false }, emotion: { enabled: false }, description: { enabled: false },
      antispoof: { enabled: false }, liveness: { enabled: false }, attention: { enabled: false }, gear: { enabled: false }
    },
    body: { enabled: true, modelPath: "movenet-lightning.json", maxDetected: 1, minConfidence: 0.3, skipFrames: 0, skipTime: 0 },
    hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false }
  };
}

async function start(backends) {
  var reasons = [];
  for (var i = 0; i < backends.length; i++) {
    try {
      var candidate = new Human(config(backends[i]));
      await candidate.load();
      var t0 = performance.now();
      var probe = new ImageData(320, 240);
      await candidate.detect(probe);
      if (candidate.tf.getBackend() !== backends[i]) {
        reasons.push(backends[i] + ": fell back to " + candidate.tf.getBackend());
        continue;
      }
      human = candidate;
      return { type: "ready", backend: candidate.tf.getBackend(), warmup_ms: performance.now() - t0 };
    } catch (e) {
      reasons.push(backends[i] + ": " + (e && e.message ? e.message : String(e)));
    }
  }
  return { type: "failed", reason: reasons.join("; ") };
}

async function analyse(image, at) {
  var t0 = performance.now();
  var result = await human.detect(image);
  var ms = performance.now() - t0;
  if (image.close) image.close();
  var faces = result.face.filter(function (f) { return f.score >= 0.5; });
  var bodies = result.body.filter(function (b) { return b.score >= 0.3; });
  var yaw = null;
  if (faces.length === 1 && faces[0].rotation && faces[0].rotation.angle) yaw = faces[0].rotation.angle.yaw;
  return { type: "result", at: at, faces: faces.length, bodies: bodies.length, yaw: yaw, ms: ms };
}

self.onmessage = function (event) {
  var message = event.data;
  if (message.type === "init") {
    start(message.backends || backendsFor(webglRenderer())).then(function (answer) { self.postMessage(answer); });
  } else if (message.type === "frame" && human) {
    analyse(message.image, message.at).then(
      function (answer) { self.postMessage(answer); },
      function (e) { self.postMessage({ type: "error", at: message.at, reason: String(e && e.message || e) }); }
    );
  }
};
