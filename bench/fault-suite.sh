#!/usr/bin/env bash
# The fault suite on the real chain, every worker in its own JVM (see README "Reliability"):
#   bench/fault-suite.sh [SCENARIO...] [--items 200] [--burst 2000] [--photos DIR]
# Scenarios: baseline kill-detector kill-embedder kill-clusterer broker-down database-down capture-restart hostile burst
# (default: all). Prints one table row per scenario; exits 1 when any scenario lost or duplicated something.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/facerec-bench.jar
if [ ! -f "$JAR" ]; then ./mvnw -B -q -DskipTests package; fi
bash models/fetch.sh >/dev/null
PHOTOS=${PHOTOS:-../shared/eval/identity}
exec java -cp "$JAR" -Dloader.main=io.facerec.bench.reliability.FaultSuite \
  -Dfacerec.models.dir="$PWD/models" org.springframework.boot.loader.launch.PropertiesLauncher --photos "$PHOTOS" "$@"
