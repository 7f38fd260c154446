#!/usr/bin/env bash
# The embedder on a GPU against the CPU, in a few minutes (GpuEmbedderBench): builds the bench jar with the CUDA build
# of ONNX Runtime (-Pgpu: ~740 MB, needs CUDA 12 and cuDNN 9 on the machine), then embeds the same faces with the CPU
# provider and with the CUDA provider. The last line is JSON: faces/s on each, the ratio, the cosine between the two.
#   bench/gpu-embedder.sh [faces, default 2000]
# A machine without a usable GPU reports "gpu_provider":"CPU" (the session fell back): no GPU figure then.
set -euo pipefail
cd "$(dirname "$0")/.."
bash models/fetch.sh >/dev/null
if [ ! -f bench/target/facerec-bench-gpu.jar ]; then
  ./mvnw -B -q -Pgpu -pl bench -am -DskipTests package
  cp bench/target/facerec-bench.jar bench/target/facerec-bench-gpu.jar
fi
exec java -Xmx4g -cp bench/target/facerec-bench-gpu.jar -Dloader.main=io.facerec.bench.GpuEmbedderBench \
  -Dfacerec.models.dir="$PWD/models" org.springframework.boot.loader.launch.PropertiesLauncher "${1:-2000}"
