#!/usr/bin/env bash
# Detector throughput: the reference harness (node detect_ref.mjs, onnxruntime-node) against ours (DetectorBench),
# same photos, same settings (score 0.75, NMS 0.5), same passes, one run. Prints images/s of both and java/reference.
#
#   bench/detector.sh [DIR]          DIR: default ../shared/eval/detection (only .jpg/.jpeg/.png are used, as the reference)
#   env: PEER_DIR (default ../shared/peer: the reference harness, set up by its setup.sh),
#        WARMUP (default 1) and PASSES (default 3) passes over DIR, THREADS (default 0 = ONNX Runtime's default on both)
#
# Comparable measure: the mean per-image total of the measured passes. The reference's is decode + preprocess +
# inference + postprocess (jpeg-js/pngjs, Skia canvas letterbox, onnxruntime-node, the npm package's decoder); ours is
# decode (OpenCV) + preprocess + inference + postprocess + thumbnail crops written to a temp dir. Model loading is
# excluded on both sides (the reference reports it as modelLoadMs and also warms up on one blank input).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=$(realpath "${1:-../shared/eval/detection}")
PEER_DIR=${PEER_DIR:-../shared/peer}
WARMUP=${WARMUP:-1}
PASSES=${PASSES:-3}
THREADS=${THREADS:-0}
JAR=bench/target/facerec-bench.jar

if [ ! -f "$PEER_DIR/detect_ref.mjs" ]; then
  echo "no reference harness at $PEER_DIR (set PEER_DIR to the folder holding detect_ref.mjs)" >&2; exit 2
fi
if [ ! -d "$PEER_DIR/node_modules" ]; then
  echo "the reference harness in $PEER_DIR is not installed: run $PEER_DIR/setup.sh first (or set PEER_DIR to an installed copy)" >&2
  exit 2
fi
if [ ! -f "$JAR" ]; then
  echo "$JAR is missing: build it with ./mvnw -B -q -DskipTests package" >&2; exit 2
fi
command -v node >/dev/null || { echo "node is not on the PATH" >&2; exit 2; }

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?"; }
echo "load average before: $(load) on $(nproc) cores (other work on the machine skews both figures)" >&2

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 1) reference: DIR listed WARMUP+PASSES times in one process; the first WARMUP passes are dropped
dirs=()
for _ in $(seq 1 $((WARMUP + PASSES))); do dirs+=("$DIR"); done
thr=()
[ "$THREADS" != 0 ] && thr=(--threads "$THREADS")
echo "reference: node $PEER_DIR/detect_ref.mjs $DIR x$((WARMUP + PASSES)) --prob 0.75 --nms 0.5 ${thr[*]:-}" >&2
node "$PEER_DIR/detect_ref.mjs" "${dirs[@]}" --prob 0.75 --nms 0.5 "${thr[@]}" > "$WORK/ref.json" 2> "$WORK/ref.log" \
  || { cat "$WORK/ref.log" >&2; exit 1; }

# 2) ours: the same passes, one thread of work, in the fat jar (no Spring context)
echo "java: DetectorBench $DIR --warmup $WARMUP --passes $PASSES --threads $THREADS" >&2
java -cp "$JAR" -Dloader.main=io.facerec.bench.DetectorBench \
  -Dfacerec.models.dir="${FACEREC_MODELS_DIR:-models}" \
  org.springframework.boot.loader.launch.PropertiesLauncher "$DIR" --warmup "$WARMUP" --passes "$PASSES" \
  --threads "$THREADS" > "$WORK/java.out" 2> "$WORK/java.log" || { cat "$WORK/java.log" "$WORK/java.out" >&2; exit 1; }
cat "$WORK/java.log" >&2
grep -v '^BENCH ' "$WORK/java.out"
grep '^BENCH ' "$WORK/java.out" | sed 's/^BENCH //' > "$WORK/java.json"

echo "load average after: $(load)" >&2

# 3) both figures and the ratio
node - "$WORK/ref.json" "$WORK/java.json" "$WARMUP" "$PASSES" <<'JS'
const fs = require('fs');
const [refFile, javaFile, warmup, passes] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(refFile, 'utf8'));
const java = JSON.parse(fs.readFileSync(javaFile, 'utf8'));
const W = +warmup, P = +passes;
const n = ref.images.length / (W + P);
const measured = ref.images.slice(W * n);
const stages = ['decode', 'preprocess', 'inference', 'postprocess', 'total'];
const median = a => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mean = a => a.reduce((x, y) => x + y, 0) / a.length;
const refMed = Object.fromEntries(stages.map(k => [k, median(measured.map(r => r.timingMs[k]))]));
const refMeanTotal = mean(measured.map(r => r.timingMs.total));
const refIps = 1000 / refMeanTotal;
const javaIps = 1000 / java.meanMs.total;           // same measure: mean per-image total
const faces = measured.slice(0, n).reduce((a, r) => a + r.numFaces, 0);
const f = x => x.toFixed(2).padStart(9);
console.log(`\n${n} images, ${W} warm-up + ${P} measured passes, score 0.75 / NMS 0.5`);
console.log(`faces per pass: reference ${faces}, java ${java.facesPerPass}`);
console.log(`model load (not timed): reference ${ref.modelLoadMs} ms, java ${java.modelLoadMs} ms`);
console.log('median ms/image     reference      java');
for (const k of stages) console.log(`  ${k.padEnd(12)}     ${f(refMed[k])} ${f(java.medianMs[k])}`);
console.log(`  ${'thumbnails'.padEnd(12)}     ${'-'.padStart(9)} ${f(java.medianMs.thumbnails)}`);
console.log(`mean ms/image total: reference ${refMeanTotal.toFixed(2)}, java ${java.meanMs.total.toFixed(2)}`);
console.log(`images/s (1000 / mean per-image total): reference ${refIps.toFixed(2)}, java ${javaIps.toFixed(2)}` +
  `  (java wall clock over the measured passes: ${java.imagesPerSecond.toFixed(2)})`);
console.log(`ratio java/reference: ${(javaIps / refIps).toFixed(2)}x`);
JS
