/* Which TensorFlow.js backends the on-device model (device.js) tries, in order, on this machine.
 *
 * With a real GPU, WebGL (Human's "humangl") is the fastest. Without one (a blocklisted driver,
 * a virtual machine, an old office PC) Chromium and Firefox still offer WebGL, drawn by a
 * software renderer (SwiftShader, llvmpipe, Windows' Basic Render Driver) that compiles the
 * model's WebGL programs on the processor: ~20 s of a full core per load. There the WASM
 * backend (TensorFlow.js's kernels compiled to WebAssembly, SIMD) runs the same models on the
 * processor in ~2 s. The plain JavaScript "cpu" backend is the last resort everywhere.
 * An ES module: imported by device.js in its worker (and by a test, on a page). */

/* The renderer names of software rasterisers, as WEBGL_debug_renderer_info reports them, e.g.
 * "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)",
 * "llvmpipe (LLVM 15.0.6, 256 bits)", "ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11
 * vs_5_0 ps_5_0, D3D11)", "Apple Software Renderer". */
var SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render driver/i;

/* True when WebGL is missing (null) or drawn by a software renderer. */
export function softwareRenderer(renderer) {
  return renderer === null || renderer === undefined || SOFTWARE.test(String(renderer));
}

/* The backends to try, in order, for a WebGL renderer name (null: no WebGL here). */
export function backendsFor(renderer) {
  return softwareRenderer(renderer) ? ["wasm", "cpu"] : ["humangl", "wasm", "cpu"];
}

/* This context's WebGL renderer name (the unmasked one where the browser gives it), or null when
 * WebGL is missing here (in a worker: no OffscreenCanvas, so Human's WebGL cannot run either).
 * The probe's context is released at once. */
export function webglRenderer() {
  var gl = null;
  try {
    gl = new OffscreenCanvas(1, 1).getContext("webgl");
  } catch (e) {
    return null;
  }
  if (!gl) return null;
  var info = gl.getExtension("WEBGL_debug_renderer_info");
  var name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) || "");
  var lose = gl.getExtension("WEBGL_lose_context");
  if (lose) lose.loseContext();
  return name;
}
