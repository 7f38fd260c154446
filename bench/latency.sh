#!/usr/bin/env bash
# Warm latency on the real chain (embedded PostgreSQL, Debezium, in-process Kafka, all workers): the first two photos of
# each person folder warm up, then N photos are inserted one at a time and timed from the INSERT's commit to every face
# of the item having its PersonId.
#   bench/latency.sh DIR [N]     DIR: person folders, e.g. five folders of ../shared/eval/identity; N default 20
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
[ -f "$JAR" ] || { echo "$JAR is missing: build it with ./mvnw -B -q -DskipTests package" >&2; exit 2; }
exec java -Xmx3g -cp "$JAR" -Dloader.main=io.facerec.bench.LatencyBench -Dfacerec.models.dir="${FACEREC_MODELS_DIR:-models}" \
  org.springframework.boot.loader.launch.PropertiesLauncher "$@"
