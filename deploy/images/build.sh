#!/usr/bin/env bash
# Builds the container images of the workers and the gallery as tarballs, with neither a registry nor a Docker daemon
# (the offline path; with a registry, ./mvnw -Pimages -DskipTests package -pl detector-worker,embedder-worker,
# clusterer-worker,gallery -am builds them on eclipse-temurin:17-jre, see the README):
#
#   deploy/images/build.sh [MAVEN ARGS...]       e.g. deploy/images/build.sh -o     (Maven offline)
#
# 1. deploy/images/build-base.sh: the base image (Debian bookworm + openjdk-17-jre-headless) from Debian packages,
#    target/base-image/facerec-base.tar; needs root the first time, skipped while the tarball exists.
# 2. Maven with -Pimages: Jib's buildTar on top of that tarball -> MODULE/target/jib-image.tar
#    (facerec/detector, facerec/embedder, facerec/clusterer, facerec/gallery, tagged with the project version).
# 3. deploy/images/check-images.py: checks every tarball without a container engine (as root it also runs java, the
#    native libraries and the entrypoint inside chroot). CHECK=static: static checks only; CHECK=none: no check.
#
# Then, where Docker runs: for m in detector-worker embedder-worker clusterer-worker gallery; do
#   docker load -i $m/target/jib-image.tar; done
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base="${FACEREC_BASE_IMAGE:-$root/target/base-image/facerec-base.tar}"
modules=(detector-worker embedder-worker clusterer-worker gallery)

"$here/build-base.sh" "$base"

cd "$root"
(IFS=,; set -x; ./mvnw -B -Pimages,offline-base -DskipTests -Dfacerec.base-image="tar://$base" "$@" package -pl "${modules[*]}" -am)

echo
echo "images:"
for m in "${modules[@]}"; do
  tar="$m/target/jib-image.tar"
  tag="$(tar -xOf "$tar" manifest.json | sed -E 's/.*"RepoTags":\["([^"]+)".*/\1/')"
  printf '  %-34s %6s  %s\n' "$tar" "$(du -h "$tar" | cut -f1)" "$tag"
done
printf '  %-34s %6s  %s\n' "${base#"$root"/}" "$(du -h "$base" | cut -f1)" "(base, uncompressed layer)"

case "${CHECK:-full}" in
  none) ;;
  static) python3 "$here/check-images.py" --no-run "${modules[@]}" ;;
  *) python3 "$here/check-images.py" "${modules[@]}" ;;
esac
