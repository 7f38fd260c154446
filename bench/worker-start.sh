#!/usr/bin/env bash
# A worker JVM's start: each worker (capture, detector, embedder, clusterer) launched alone against a running embedded
# PostgreSQL and Kafka broker, timed from launch to /actuator/health UP, --rounds times (default 3). Run it on a quiet
# machine; each line carries the load average before that start. The last line is one JSON object of medians.
#
#   bench/worker-start.sh [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
if [ ! -f "$JAR" ]; then ./mvnw -B -q -DskipTests package; fi
bash models/fetch.sh >/dev/null
exec java -cp "$JAR" -Dloader.main=io.facerec.bench.reliability.WorkerStartBench \
  -Dfacerec.models.dir="$PWD/models" org.springframework.boot.loader.launch.PropertiesLauncher "$@"
