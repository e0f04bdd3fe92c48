/* oqu 3D model viewer: a .glb (binary glTF 2.0) drawn with plain WebGL, no library.
   Meshes with their base colours, flat-lit; drag or arrow keys turn the model, wheel or +/- zoom.
   Textures, animations and node transforms are not drawn. Without WebGL the download link stays. */
(function () {
  "use strict";

  var FLOAT = 5126, SIZES = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };

  function parseGlb(buffer) {
    var view = new DataView(buffer);
    if (view.getUint32(0, true) !== 0x46546c67) throw new Error("not a .glb file");
    var jsonLength = view.getUint32(12, true);
    var json = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 20, jsonLength)));
    var binStart = 20 + jsonLength + 8;
    return { json: json, bin: buffer.slice(binStart, binStart + view.getUint32(20 + jsonLength, true)) };
  }

  function readAccessor(gltf, index) {
    var accessor = gltf.json.accessors[index];
    var bufferView = gltf.json.bufferViews[accessor.bufferView];
    var size = SIZES[accessor.type];
    var Type = accessor.componentType === FLOAT ? Float32Array
      : accessor.componentType === 5125 ? Uint32Array
      : accessor.componentType === 5123 ? Uint16Array : Uint8Array;
    var offset = (bufferView.byteOffset || 0) + (accessor.byteOffset || 0);
    var stride = bufferView.byteStride ? bufferView.byteStride / Type.BYTES_PER_ELEMENT : size;
    var source = new Type(gltf.bin, offset, (accessor.count - 1) * stride + size);
    var out = new Float32Array(accessor.count * size);
    for (var i = 0; i < accessor.count; i++)
      for (var j = 0; j < size; j++) out[i * size + j] = source[i * stride + j];
    return out;
  }

  /* Every triangle of every mesh as flat arrays: positions, normals (per face), colours. */
  function triangles(gltf) {
    var positions = [], normals = [], colours = [];
    (gltf.json.meshes || []).forEach(function (mesh) {
      mesh.primitives.forEach(function (primitive) {
        if (primitive.mode !== undefined && primitive.mode !== 4) return;
        var p = readAccessor(gltf, primitive.attributes.POSITION);
        var count = p.length / 3;
        var index = primitive.indices !== undefined ? readAccessor(gltf, primitive.indices)
          : Array.from({ length: count }, function (_, i) { return i; });
        var material = (gltf.json.materials || [])[primitive.material] || {};
        var colour = ((material.pbrMetallicRoughness || {}).baseColorFactor || [0.8, 0.8, 0.8, 1]).slice(0, 3);
        for (var t = 0; t + 2 < index.length; t += 3) {
          var a = index[t] * 3, b = index[t + 1] * 3, c = index[t + 2] * 3;
          var u = [p[b] - p[a], p[b + 1] - p[a + 1], p[b + 2] - p[a + 2]];
          var v = [p[c] - p[a], p[c + 1] - p[a + 1], p[c + 2] - p[a + 2]];
          var n = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]];
          var length = Math.hypot(n[0], n[1], n[2]) || 1;
          [a, b, c].forEach(function (k) {
            positions.push(p[k], p[k + 1], p[k + 2]);
            normals.push(n[0] / length, n[1] / length, n[2] / length);
            colours.push(colour[0], colour[1], colour[2]);
          });
        }
      });
    });
    return { positions: new Float32Array(positions), normals: new Float32Array(normals), colours: new Float32Array(colours) };
  }

  var VERTEX = "attribute vec3 p; attribute vec3 n; attribute vec3 c; uniform mat4 m; uniform mat3 r;" +
    "varying vec3 colour; void main() { vec3 normal = normalize(r * n);" +
    " float light = 0.35 + 0.65 * max(dot(normal, normalize(vec3(0.4, 0.6, 1.0))), 0.0);" +
    " colour = c * light; gl_Position = m * vec4(p, 1.0); }";
  var FRAGMENT = "precision mediump float; varying vec3 colour; void main() { gl_FragColor = vec4(colour, 1.0); }";

  function program(gl) {
    var shaders = [[gl.VERTEX_SHADER, VERTEX], [gl.FRAGMENT_SHADER, FRAGMENT]];
    var prog = gl.createProgram();
    shaders.forEach(function (pair) {
      var shader = gl.createShader(pair[0]);
      gl.shaderSource(shader, pair[1]);
      gl.compileShader(shader);
      gl.attachShader(prog, shader);
    });
    gl.linkProgram(prog);
    gl.useProgram(prog);
    return prog;
  }

  function attribute(gl, prog, name, data) {
    var buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    var location = gl.getAttribLocation(prog, name);
    gl.enableVertexAttribArray(location);
    gl.vertexAttribPointer(location, 3, gl.FLOAT, false, 0, 0);
  }

  function bounds(positions) {
    var min = [Infinity, Infinity, Infinity], max = [-Infinity, -Infinity, -Infinity];
    for (var i = 0; i < positions.length; i += 3)
      for (var j = 0; j < 3; j++) {
        min[j] = Math.min(min[j], positions[i + j]);
        max[j] = Math.max(max[j], positions[i + j]);
      }
    var centre = [0, 1, 2].map(function (j) { return (min[j] + max[j]) / 2; });
    var radius = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]) / 2 || 1;
    return { centre: centre, radius: radius };
  }

  /* Column-major matrices: the model turned by yaw and pitch, scaled to the unit sphere, in perspective. */
  function matrices(yaw, pitch, zoom, fit, aspect) {
    var cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
    var r = [cy, sp * sy, -cp * sy, 0, cp, sp, sy, -sp * cy, cp * cy];
    var s = 1 / fit.radius, c = fit.centre, d = 3 / zoom, f = 1 / Math.tan(Math.PI / 8), near = 0.1, far = 20;
    var m = new Float32Array(16);
    for (var col = 0; col < 3; col++) {
      var x = r[col * 3] * s, y = r[col * 3 + 1] * s, z = r[col * 3 + 2] * s;
      m[col * 4] = x * f / aspect; m[col * 4 + 1] = y * f;
      m[col * 4 + 2] = z * (far + near) / (near - far); m[col * 4 + 3] = -z;
    }
    var tx = -(r[0] * c[0] + r[3] * c[1] + r[6] * c[2]) * s;
    var ty = -(r[1] * c[0] + r[4] * c[1] + r[7] * c[2]) * s;
    var tz = -(r[2] * c[0] + r[5] * c[1] + r[8] * c[2]) * s - d;
    m[12] = tx * f / aspect; m[13] = ty * f;
    m[14] = tz * (far + near) / (near - far) + 2 * far * near / (near - far); m[15] = -tz;
    return { m: m, r: new Float32Array(r) };
  }

  function show(canvas, gltf) {
    var gl = canvas.getContext("webgl", { preserveDrawingBuffer: true });
    if (!gl) return;
    var mesh = triangles(gltf), fit = bounds(mesh.positions), prog = program(gl);
    attribute(gl, prog, "p", mesh.positions);
    attribute(gl, prog, "n", mesh.normals);
    attribute(gl, prog, "c", mesh.colours);
    var state = { yaw: 0.6, pitch: 0.35, zoom: 1 };
    var draw = function () {
      var mats = matrices(state.yaw, state.pitch, state.zoom, fit, canvas.width / canvas.height);
      gl.viewport(0, 0, canvas.width, canvas.height);
      gl.clearColor(0.96, 0.96, 0.96, 1);
      gl.enable(gl.DEPTH_TEST);
      gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
      gl.uniformMatrix4fv(gl.getUniformLocation(prog, "m"), false, mats.m);
      gl.uniformMatrix3fv(gl.getUniformLocation(prog, "r"), false, mats.r);
      gl.drawArrays(gl.TRIANGLES, 0, mesh.positions.length / 3);
    };
    var turn = function (dx, dy) {
      state.yaw += dx;
      state.pitch = Math.max(-1.5, Math.min(1.5, state.pitch + dy));
      draw();
    };
    var last = null;
    canvas.addEventListener("pointerdown", function (e) { last = [e.clientX, e.clientY]; canvas.setPointerCapture(e.pointerId); });
    canvas.addEventListener("pointerup", function () { last = null; });
    canvas.addEventListener("pointermove", function (e) {
      if (!last) return;
      turn((e.clientX - last[0]) / 100, (e.clientY - last[1]) / 100);
      last = [e.clientX, e.clientY];
    });
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      state.zoom = Math.max(0.3, Math.min(5, state.zoom * (e.deltaY < 0 ? 1.1 : 0.9)));
      draw();
    }, { passive: false });
    canvas.addEventListener("keydown", function (e) {
      var keys = { ArrowLeft: [-0.2, 0], ArrowRight: [0.2, 0], ArrowUp: [0, -0.2], ArrowDown: [0, 0.2] };
      if (keys[e.key]) { e.preventDefault(); turn(keys[e.key][0], keys[e.key][1]); }
      if (e.key === "+" || e.key === "-") { state.zoom *= e.key === "+" ? 1.1 : 0.9; draw(); }
    });
    canvas.hidden = false;
    canvas.dataset.oquTriangles = String(mesh.positions.length / 9);
    draw();
  }

  function start() {
    document.querySelectorAll("canvas[data-oqu-model]").forEach(function (canvas) {
      fetch(canvas.getAttribute("data-oqu-model"))
        .then(function (response) { return response.arrayBuffer(); })
        .then(function (buffer) { show(canvas, parseGlb(buffer)); })
        .catch(function (error) { canvas.dataset.oquError = String(error); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
