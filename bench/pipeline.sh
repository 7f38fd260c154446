#!/usr/bin/env bash
# The whole pipeline against its stages, in one run (see PipelineThroughputBench): the detector and embedder stages
# alone on the photos of the N items (before and after), and the whole chain INSERT -> PersonId (embedded PostgreSQL,
# Debezium, in-process Kafka, all workers) on N items inserted at once. The last line is JSON:
#   {"items":N,"faces":F,"pipeline_items_per_s":...,"stage_limit_items_per_s":...,"ratio":...}
#   bench/pipeline.sh [DIR] [N]      DIR: default ../shared/eval/identity, N: default 500 items
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
if [ ! -f "$JAR" ]; then ./mvnw -B -q -DskipTests package; fi
bash models/fetch.sh >/dev/null
exec java ${FACEREC_JAVA_OPTS:--Xmx3g} -cp "$JAR" -Dloader.main=io.facerec.bench.PipelineThroughputBench \
  -Dfacerec.models.dir="$PWD/models" org.springframework.boot.loader.launch.PropertiesLauncher \
  "$(realpath "${1:-../shared/eval/identity}")" "${2:-500}"
