#!/usr/bin/env bash
# Builds the base image for the worker images (Debian bookworm minbase + openjdk-17-jre-headless) as a single-layer
# image tarball in `docker save` format, without a container registry or a container engine:
#
#   deploy/images/build-base.sh [OUTPUT.tar]        default: target/base-image/facerec-base.tar (repository root)
#   FORCE=1 deploy/images/build-base.sh             rebuild even when the tarball exists
#
# Needs ROOT (debootstrap, chroot, mounting /proc in the new root) and network access to a Debian mirror. The mirror
# is the one this machine's apt already uses (/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list), read at
# run time; MIRROR=http://... overrides it. debootstrap is installed with apt-get when missing.
# Jib then uses the tarball as its base image (<from><image>tar://...</image></from>, see the `images` profile in
# the worker poms), so `jib:buildTar` never contacts a registry either.
#
# The tarball holds manifest.json, the image config (<sha256>.json: Env PATH, JAVA_HOME, LANG=C.UTF-8) and one
# uncompressed layer (<sha256>/layer.tar) with the whole root file system.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/target/base-image/facerec-base.tar}"
suite=bookworm
tag="facerec/base:$suite-jre17"

if [ -f "$out" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "build-base: $out exists (FORCE=1 rebuilds)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "build-base: must run as root (debootstrap, chroot, mount)" >&2
  exit 1
fi

# --- the mirror apt already uses ----------------------------------------------------------------------------------
# Prints "URI" of the first deb stanza / line for the given suite (deb822 .sources first, then one-line sources.list).
mirror_for() {
  local want="$1" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v want="$want" '
      function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && uris != "" && !done) { split(uris, u, " "); print u[1]; done = 1 }
                         types = ""; suites = ""; uris = "" }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "types:"  { $1 = ""; types = $0 }
      tolower($1) == "suites:" { $1 = ""; suites = $0 }
      tolower($1) == "uris:"   { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI SUITE COMPONENTS...
    sed -E 's/\[[^]]*\]//' "$f" | awk -v want="$want" '$1 == "deb" && $3 == want { print $2 }'
  done
}
mirror="${MIRROR:-$(mirror_for "$suite" | head -n1)}"
security="${SECURITY_MIRROR:-$(mirror_for "$suite-security" | head -n1)}"
if [ -z "$mirror" ]; then
  echo "build-base: no apt source for '$suite' found in /etc/apt; set MIRROR=http://..." >&2
  exit 1
fi
echo "build-base: mirror $mirror${security:+, security $security}"

if ! command -v debootstrap >/dev/null; then
  echo "build-base: installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
keyring_opt=()
[ -f "$keyring" ] && keyring_opt=(--keyring="$keyring")

# --- work area ----------------------------------------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
work="$(mktemp -d "$(dirname "$out")/.build-base.XXXXXX")"
rootfs="$work/rootfs"
cleanup() {
  # never delete through a mounted /proc
  if mountpoint -q "$rootfs/proc" 2>/dev/null; then umount -l "$rootfs/proc" || true; fi
  if mountpoint -q "$rootfs/proc" 2>/dev/null; then
    echo "build-base: $rootfs/proc still mounted; leaving $work in place" >&2
  else
    rm -rf --one-file-system "$work"
  fi
}
trap cleanup EXIT

# --- root file system -----------------------------------------------------------------------------------------------
echo "build-base: debootstrap --variant=minbase $suite"
debootstrap --variant=minbase "${keyring_opt[@]}" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# apt sources inside the image: the same mirror (+ updates, + security when this machine has it)
rm -f "$rootfs/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\nSigned-By: %s\n' "$mirror" "$suite" "$suite" "$keyring"
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' "$security" "$suite" "$keyring"
  fi
} >"$rootfs/etc/apt/sources.list.d/debian.sources"
# no docs, man pages or translations for anything installed from here on (copyright files stay)
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-facerec-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
cat >"$rootfs/etc/apt/apt.conf.d/01-facerec" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
# no daemons are started by package scripts inside the chroot
printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
chmod 755 "$rootfs/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf"

mount -t proc proc "$rootfs/proc"
in_root() {
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
echo "build-base: installing openjdk-17-jre-headless"
# The natives in the JavaCPP and ONNX Runtime jars bundle their own libraries and need glibc, libstdc++6 and
# libgcc-s1 (minbase has them), except FFmpeg's libavdevice, which JavaCV's FFmpegFrameGrabber loads for every video:
# it links libasound2 (the JRE pulls it in), libpulse0, libxcb1 and libxcb-shm0. (OpenCV's highgui would want GTK;
# nothing loads it.) deploy/images/check-images.py loads them all inside the finished images.
packages=(openjdk-17-jre-headless ca-certificates libpulse0 libxcb1 libxcb-shm0)
in_root apt-get update -qq
in_root apt-get upgrade -y -qq >/dev/null
in_root apt-get install -y -qq "${packages[@]}" >"$work/apt.log" 2>&1 \
  || { tail -n 30 "$work/apt.log" >&2; exit 1; }
in_root java -version
umount "$rootfs/proc"

ROOT_HOME=root   # the image user's home inside the rootfs
# --- slim down ------------------------------------------------------------------------------------------------------
in_root apt-get clean
rm -f "$rootfs/usr/sbin/policy-rc.d"
: >"$rootfs/etc/resolv.conf"                       # the container runtime provides its own
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/debconf/*-old \
  "$rootfs"/var/lib/dpkg/*-old "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/* \
  "$rootfs"/usr/share/lintian/* "$rootfs"/tmp/* "$rootfs"/var/tmp/* "$rootfs/$ROOT_HOME/.cache"
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
find "$rootfs/var/log" -type f -delete
rm -rf "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/run/*   # provided by the runtime

java_home="$(cd "$rootfs" && ls -d usr/lib/jvm/java-17-openjdk-* | head -n1)"
[ -x "$rootfs/$java_home/bin/java" ] || { echo "build-base: no java in $java_home" >&2; exit 1; }
arch="$(in_root dpkg --print-architecture)"
if [ "$arch" = ppc64el ]; then arch=ppc64le; fi   # OCI names

# --- docker-save tarball: manifest.json, <config sha>.json, <layer sha>/layer.tar -----------------------------------
epoch="${SOURCE_DATE_EPOCH:-$(date +%s)}"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
img="$work/image"
mkdir -p "$img"
echo "build-base: packing the layer"
(cd "$rootfs" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort \
  | tar --numeric-owner --sort=name --mtime="@$epoch" --xattrs --xattrs-include='security.capability' \
        -cf "$img/layer.tar" -T -)
layer_sha="$(sha256sum "$img/layer.tar" | cut -d' ' -f1)"
mkdir "$img/$layer_sha"
mv "$img/layer.tar" "$img/$layer_sha/layer.tar"
cat >"$img/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/$java_home","LANG=C.UTF-8"],
           "Cmd":["/bin/bash"],"WorkingDir":"/"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},
 "history":[{"created":"$created","created_by":"deploy/images/build-base.sh: debootstrap --variant=minbase $suite + ${packages[*]}"}]}
EOF
config_sha="$(sha256sum "$img/config.json" | cut -d' ' -f1)"
mv "$img/config.json" "$img/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]\n' "$config_sha" "$tag" "$layer_sha" \
  >"$img/manifest.json"
tar --numeric-owner --owner=0 --group=0 --mtime="@$epoch" -C "$img" -cf "$out.part" \
  manifest.json "$config_sha.json" "$layer_sha/layer.tar"
mv "$out.part" "$out"
echo "build-base: $out ($(du -h "$out" | cut -f1), $tag, JAVA_HOME=/$java_home)"
