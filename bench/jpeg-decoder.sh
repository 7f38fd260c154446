#!/usr/bin/env bash
# JPEG decoding: jpeg-js 0.4.4 (the reference harness's decoder, in node) against its Java port ReferenceJpegDecoder,
# same files, one run. 1) bit-exactness: SHA-256 of the RGB bytes of every JPEG (found recursively, by magic bytes) from
# both; 2) mean ms/image over the timed files held in memory (decode only, no file I/O), with OpenCV's imdecode
# (libjpeg-turbo) for comparison.
#
#   bench/jpeg-decoder.sh [DIR|FILE ...]    default: ../shared/eval/detection
#   env: PEER_DIR (default ../shared/peer: the reference harness with its node_modules, set up by its setup.sh),
#        WARMUP (default 1), PASSES (default 3), TIMED (default: all files; only the first TIMED files are timed)
set -euo pipefail
cd "$(dirname "$0")/.."

PEER_DIR=$(realpath "${PEER_DIR:-../shared/peer}")
WARMUP=${WARMUP:-1}
PASSES=${PASSES:-3}
TIMED=${TIMED:-1000000}
JAR=bench/target/facerec-bench.jar
[ $# -gt 0 ] || set -- ../shared/eval/detection

if [ ! -d "$PEER_DIR/node_modules/jpeg-js" ]; then
  echo "no jpeg-js in $PEER_DIR/node_modules: run the reference harness's setup.sh, or set PEER_DIR" >&2; exit 2
fi
if [ ! -f "$JAR" ]; then
  echo "$JAR is missing: build it with ./mvnw -B -q -DskipTests package" >&2; exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# JPEGs by their first bytes (FF D8 FF), whatever their names, in name order
find "$@" -type f | sort | while read -r f; do
  [ "$(head -c 3 "$f" | od -An -tx1 | tr -d ' \n')" = "ffd8ff" ] && echo "$f"
done > "$WORK/files"
n=$(wc -l < "$WORK/files")
[ "$n" -gt 0 ] || { echo "no JPEG files in $*" >&2; exit 2; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

cat > "$WORK/jsdec.cjs" <<'JS'
const fs = require('fs'), crypto = require('crypto');
const jpeg = require(process.env.PEER_DIR + '/node_modules/jpeg-js');
const [list, warmup, passes, timed] = [process.argv[2], +process.argv[3], +process.argv[4], +process.argv[5]];
const opts = { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048, maxResolutionInMP: 200 }; // detect_ref.mjs
const files = fs.readFileSync(list, 'utf8').split('\n').filter(Boolean);
const bufs = [];
for (const f of files) {
  const buf = fs.readFileSync(f);
  try {
    const img = jpeg.decode(buf, opts);
    const n = img.width * img.height, rgb = Buffer.alloc(n * 3);
    for (let i = 0; i < n; i++) { rgb[3 * i] = img.data[4 * i]; rgb[3 * i + 1] = img.data[4 * i + 1]; rgb[3 * i + 2] = img.data[4 * i + 2]; }
    console.log('HASH ' + f + ' ' + crypto.createHash('sha256').update(rgb).digest('hex'));
    if (bufs.length < timed) bufs.push(buf);
  } catch (e) { console.log('HASH ' + f + ' REFUSED ' + String(e.message || e)); }
}
const ms = [];
for (let p = 0; p < warmup + passes; p++) {
  const t0 = performance.now();
  for (const b of bufs) jpeg.decode(b, opts);
  if (p >= warmup) ms.push(+((performance.now() - t0) / bufs.length).toFixed(2));
}
console.log('BENCH ' + JSON.stringify({ images: bufs.length, msPerImage: ms }));
JS
PEER_DIR="$PEER_DIR" node "$WORK/jsdec.cjs" "$WORK/files" "$WARMUP" "$PASSES" "$TIMED" > "$WORK/js.out"
xargs -a "$WORK/files" -d '\n' java -cp "$JAR" -Dloader.main=io.facerec.bench.JpegDecoderBench \
  org.springframework.boot.loader.launch.PropertiesLauncher --warmup "$WARMUP" --passes "$PASSES" --timed "$TIMED" \
  > "$WORK/java.out" 2> "$WORK/java.log" || { cat "$WORK/java.log" >&2; exit 1; }
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

node - "$WORK/js.out" "$WORK/java.out" <<'JS'
const fs = require('fs');
const read = f => { const h = new Map(); let bench = null;
  for (const l of fs.readFileSync(f, 'utf8').split('\n')) {
    if (l.startsWith('HASH ')) { const m = l.slice(5).match(/^(.*?) (REFUSED .*|[0-9a-f]{64})$/); h.set(m[1], m[2]); }
    else if (l.startsWith('BENCH ')) bench = JSON.parse(l.slice(6));
  } return [h, bench]; };
const [js, jsBench] = read(process.argv[2]); const [java, javaBench] = read(process.argv[3]);
let same = 0, diff = 0, bothRefuse = 0, oneRefuses = 0;
for (const [f, a] of js) {
  const b = java.get(f);
  const ra = a.startsWith('REFUSED'), rb = !b || b.startsWith('REFUSED');
  if (ra && rb) bothRefuse++;
  else if (ra || rb) { oneRefuses++; console.log(`only one decodes ${f}: jpeg-js ${a.slice(0, 60)} | port ${(b || 'missing').slice(0, 60)}`); }
  else if (a === b) same++;
  else { diff++; console.log(`DIFFERENT ${f}`); }
}
console.log(`${js.size} JPEG files: ${same} bit-identical, ${diff} different, ${bothRefuse} refused by both, ${oneRefuses} decoded by one only`);
const mean = a => a.reduce((x, y) => x + y, 0) / a.length;
console.log(`timed ${jsBench.images} images, mean ms/image per measured pass:`);
console.log(`  jpeg-js 0.4.4 (node)        ${jsBench.msPerImage.join(', ')}   mean ${mean(jsBench.msPerImage).toFixed(2)}`);
console.log(`  ReferenceJpegDecoder (java) ${javaBench.portMsPerImage.join(', ')}   mean ${mean(javaBench.portMsPerImage).toFixed(2)}`);
console.log(`  OpenCV imdecode (java)      ${javaBench.opencvMsPerImage.join(', ')}   mean ${mean(javaBench.opencvMsPerImage).toFixed(2)}`);
console.log(`port vs jpeg-js: ${(mean(jsBench.msPerImage) / mean(javaBench.portMsPerImage)).toFixed(2)}x faster`);
if (diff || oneRefuses) process.exitCode = 1;
JS
