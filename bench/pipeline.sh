#!/usr/bin/env bash
# Whole-pipeline throughput (INSERT -> PersonId) with one and with two detector instances, in one run:
#   bench/pipeline.sh [DIR] [N]      DIR: default ../shared/eval/identity, N: default 500 items
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
if [ ! -f "$JAR" ]; then ./mvnw -B -q -DskipTests package; fi
bash models/fetch.sh >/dev/null
exec java -cp "$JAR" -Dloader.main=io.facerec.bench.PipelineThroughputBench \
  -Dfacerec.models.dir="$PWD/models" org.springframework.boot.loader.launch.PropertiesLauncher \
  "$(realpath "${1:-../shared/eval/identity}")" "${2:-500}"
