#!/usr/bin/env bash
# Vendors the on-device proctoring model: @vladmandic/human from the npm registry, checked
# against the registry's sha512 integrity, reduced to the files the proctoring page loads.
# Usage: scripts/vendor_human.sh [version]   (run from the repository's root)
set -euo pipefail
VERSION="${1:-3.3.6}"
DEST="quiz_service/proctoring/static/human"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

meta="$(npm view "@vladmandic/human@$VERSION" dist.tarball dist.integrity --json)"
tarball="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["dist.tarball"])' "$meta")"
integrity="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["dist.integrity"])' "$meta")"
curl -sSfo "$WORK/human.tgz" "$tarball"
actual="sha512-$(openssl dgst -sha512 -binary "$WORK/human.tgz" | base64 -w0)"
if [ "$actual" != "$integrity" ]; then
  echo "integrity mismatch: registry says $integrity, the tarball is $actual" >&2
  exit 1
fi
tar -xzf "$WORK/human.tgz" -C "$WORK"
rm -rf "$DEST"
mkdir -p "$DEST/models"
cp "$WORK/package/LICENSE" "$DEST/LICENSE"
cp "$WORK/package/dist/human.esm.js" "$DEST/human.esm.js"   # the ESM bundle, TensorFlow.js inside
for model in blazeface facemesh movenet-lightning; do
  cp "$WORK/package/models/$model.json" "$WORK/package/models/$model.bin" "$DEST/models/"
done
cat > "$DEST/VENDOR.md" <<NOTE
# @vladmandic/human $VERSION (vendored)

- Source: the npm registry's tarball of @vladmandic/human@$VERSION, MIT licence (LICENSE here).
- Integrity checked on download: $integrity
- Made by scripts/vendor_human.sh; run it again to refresh (never edit these files by hand).

Files kept, and why:

- human.esm.js: the ESM bundle with TensorFlow.js inside (WebGL and CPU backends; the WASM
  backend's .wasm files are not in the package, so it is not offered). Loaded by
  ../device.js in a module Web Worker, so the model never runs on the page's main thread.
- models/blazeface.{json,bin}: the smallest face detector: the face count.
- models/facemesh.{json,bin}: the face mesh, from which Human computes the head's yaw/pitch
  (the head pose).
- models/movenet-lightning.{json,bin}: the lightest body model: somebody at the desk when no
  face is seen (turned away, leaning out of the frame).

Everything else (emotion, description, iris, hands, objects, segmentation, demo, sources,
the node builds, the source map) is left out: the page never asks for it. Served from our own
site under /proctoring/assets/human/ (nothing from a CDN).
NOTE
du -sh "$DEST"
