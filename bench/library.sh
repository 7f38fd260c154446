#!/usr/bin/env bash
# The library simulator's benchmark: a real (embedded) PostgreSQL preloaded with N synthetic faces calibrated on the
# development set's embeddings (heavy-tailed people, >= 40% one-off strangers, photo events), then 10,000 new faces
# streamed through the clusterer worker's own handler in batches of 50; per-batch latency, rows read, heap, the streamed
# faces' pairwise F1 against the planted identities, a recluster of the whole library by the product scored on the same
# faces, and the gallery's requests on the same database. The last line is one JSON object.
#
#   bench/library.sh --preload N [--stream 10000] [--batch 50] [--preload-assign planted|recluster] [--no-recluster]
#                    [--algorithm AVERAGE_LINKAGE|DBSCAN|UMAP_DBSCAN]
#
# env: IDENTITY_DIR (default ../shared/eval/identity: the development set the simulator is calibrated on; its
#      embeddings are computed once with `facerec --evaluate` and kept in bench-out/dev.f32), BENCH_HEAP (default 8g:
#      the recluster at 1M faces needs it; the clusterer's own heap is reported separately)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
PRODUCT=distribution/target/facerec.jar
IDENTITY_DIR=${IDENTITY_DIR:-../shared/eval/identity}
for j in "$JAR" "$PRODUCT"; do
  [ -f "$j" ] || { echo "$j is missing: build it with ./mvnw -B -q -DskipTests package" >&2; exit 2; }
done
mkdir -p bench-out
if [ ! -s bench-out/dev.f32 ]; then
  echo "embedding the development set once (bench-out/dev.f32) ..." >&2
  java -Xmx3g -Dfacerec.models.dir="${FACEREC_MODELS_DIR:-models}" -jar "$PRODUCT" --evaluate "$IDENTITY_DIR" \
    --embeddings-out bench-out/dev.f32.part >&2
  mv bench-out/dev.f32.part bench-out/dev.f32
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
exec java -Xmx"${BENCH_HEAP:-8g}" -XX:+UseG1GC -cp "$JAR" \
  -Dloader.main=io.facerec.bench.library.LibraryBench org.springframework.boot.loader.launch.PropertiesLauncher \
  --embeddings bench-out/dev.f32 --identity-dir "$IDENTITY_DIR" "$@"
