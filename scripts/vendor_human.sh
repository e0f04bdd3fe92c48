#!/usr/bin/env bash
# Vendors the on-device proctoring model: @vladmandic/human from the npm registry, and the
# .wasm files of TensorFlow.js's WASM backend (@tensorflow/tfjs-backend-wasm, the version of
# TensorFlow.js bundled inside Human), each checked against the registry's sha512 integrity,
# reduced to the files the proctoring page loads.
# Usage: scripts/vendor_human.sh [version]   (run from the repository's root)
set -euo pipefail
VERSION="${1:-3.3.6}"
DEST="quiz_service/proctoring/static/human"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# fetch PACKAGE@VERSION NAME: the registry's tarball into $WORK/NAME.tgz, unpacked into $WORK/NAME
fetch() {
  local meta tarball integrity actual
  meta="$(npm view "$1" dist.tarball dist.integrity --json)"
  tarball="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["dist.tarball"])' "$meta")"
  integrity="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["dist.integrity"])' "$meta")"
  curl -sSfo "$WORK/$2.tgz" "$tarball"
  actual="sha512-$(openssl dgst -sha512 -binary "$WORK/$2.tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    echo "integrity mismatch for $1: registry says $integrity, the tarball is $actual" >&2
    exit 1
  fi
  mkdir -p "$WORK/$2"
  tar -xzf "$WORK/$2.tgz" -C "$WORK/$2"
  echo "$integrity" > "$WORK/$2.integrity"
}

fetch "@vladmandic/human@$VERSION" human
integrity="$(cat "$WORK/human.integrity")"
# The WASM backend's binaries must be those of the TensorFlow.js inside the bundle (the bundle's
# JavaScript calls into them by export names that change between versions).
TFJS="$(grep -o 'version_wasm: () => [A-Za-z0-9_$]*' "$WORK/human/package/dist/human.esm.js" | head -1 | sed 's/.*=> //')"
TFJS="$(grep -o "var $TFJS = \"[0-9.]*\"" "$WORK/human/package/dist/human.esm.js" | head -1 | sed 's/.*= "//; s/"//')"
if [ -z "$TFJS" ]; then
  echo "could not read the bundled TensorFlow.js WASM backend's version from human.esm.js" >&2
  exit 1
fi
fetch "@tensorflow/tfjs-backend-wasm@$TFJS" wasm
wasm_integrity="$(cat "$WORK/wasm.integrity")"
rm -rf "$DEST"
mkdir -p "$DEST/models" "$DEST/wasm"
cp "$WORK/human/package/LICENSE" "$DEST/LICENSE"
cp "$WORK/human/package/dist/human.esm.js" "$DEST/human.esm.js"   # the ESM bundle, TensorFlow.js inside
for model in blazeface facemesh movenet-lightning; do
  cp "$WORK/human/package/models/$model.json" "$WORK/human/package/models/$model.bin" "$DEST/models/"
done
# single-threaded only: the threaded build needs SharedArrayBuffer, i.e. a cross-origin-isolated
# page (COOP + COEP), which our pages are not; TensorFlow.js then picks one of these two itself
cp "$WORK/wasm/package/dist/tfjs-backend-wasm-simd.wasm" "$WORK/wasm/package/dist/tfjs-backend-wasm.wasm" "$DEST/wasm/"
# Apache-2.0 asks for the licence's text beside the files; the package carries none (its
# package.json names the licence), so the text comes from the system's copy
cp /usr/share/common-licenses/Apache-2.0 "$DEST/wasm/LICENSE"
chmod 644 "$DEST"/wasm/*
cat > "$DEST/VENDOR.md" <<NOTE
# @vladmandic/human $VERSION (vendored)

- Source: the npm registry's tarball of @vladmandic/human@$VERSION, MIT licence (LICENSE here).
- Integrity checked on download: $integrity
- Made by scripts/vendor_human.sh; run it again to refresh (never edit these files by hand).

Files kept, and why:

- human.esm.js: the ESM bundle with TensorFlow.js $TFJS inside (its WebGL, WASM and CPU
  backends' JavaScript). Loaded by ../device.js in a module Web Worker, so the model never
  runs on the page's main thread.
- wasm/tfjs-backend-wasm-simd.wasm, wasm/tfjs-backend-wasm.wasm: the compiled kernels of
  TensorFlow.js's WASM backend, from the npm registry's tarball of
  @tensorflow/tfjs-backend-wasm@$TFJS (the version bundled in human.esm.js; Apache-2.0,
  wasm/LICENSE), integrity $wasm_integrity.
  Why: on a machine without a usable GPU (a blocklisted driver, a virtual machine, an old
  office PC) Chromium's WebGL is a software renderer (SwiftShader, llvmpipe) that compiles the
  model's WebGL programs on the processor, ~20 s of a full core per load; the WASM backend
  (SIMD) runs the same models on the processor without that. ../device.js points Human's
  \`wasmPath\` here; TensorFlow.js takes the SIMD build where WebAssembly SIMD exists (every
  current browser), the plain one elsewhere. The multi-threaded build is left out: it needs
  SharedArrayBuffer, i.e. cross-origin-isolated pages (COOP + COEP), which ours are not.
- models/blazeface.{json,bin}: the smallest face detector: the face count.
- models/facemesh.{json,bin}: the face mesh, from which Human computes the head's yaw/pitch
  (the head pose).
- models/movenet-lightning.{json,bin}: the lightest body model: somebody at the desk when no
  face is seen (turned away, leaning out of the frame).

Everything else (emotion, description, iris, hands, objects, segmentation, demo, sources,
the node builds, the source map) is left out: the page never asks for it. Served from our own
site under /proctoring/assets/human/ (nothing from a CDN; the .wasm files as application/wasm).
NOTE
du -sh "$DEST"
