#!/usr/bin/env python3
"""Checks the Jib image tarballs without a container engine.

    deploy/images/check-images.py [--no-run] [MODULE ...]      default: detector-worker embedder-worker clusterer-worker gallery

Static checks (any user): each MODULE/target/jib-image.tar is in `docker save` format (manifest.json, config, layers),
every layer's uncompressed SHA-256 equals its diff_id in the config, the tag is facerec/NAME:VERSION, the entrypoint
runs java with the container JVM flags and the module's main class, the environment has PATH, JAVA_HOME and LANG, the
layers hold /app/classes/.../MainClass.class, /app/libs/*.jar, every classpath entry Jib names and the base layer's
/usr/lib/jvm/*/bin/java.

Run checks (root, unless --no-run; needs unshare and chroot): the layers are unpacked in order into a scratch root file
system and, inside chroot with private mount/pid/network namespaces and the image's environment and working
directory, `java -version` runs, NativeSmoke loads the main class and the JavaCPP/ONNX Runtime native libraries (when
javac is here to compile it), and the image's own entrypoint starts the Spring Boot application until it stops at the
missing database/Kafka (the log must show "Starting <MainClass>").
"""
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = {
    "detector-worker": ("facerec/detector", "io.facerec.detector.DetectorApplication"),
    "embedder-worker": ("facerec/embedder", "io.facerec.embedder.EmbedderApplication"),
    "clusterer-worker": ("facerec/clusterer", "io.facerec.clusterer.ClustererApplication"),
    "gallery": ("facerec/gallery", "io.facerec.gallery.GalleryApplication"),
}
failures = []


def check(cond, what):
    print(("  ok   " if cond else "  FAIL ") + what)
    if not cond:
        failures.append(what)
    return cond


def project_version():
    with open(os.path.join(ROOT, "pom.xml"), encoding="utf-8") as f:
        pom = f.read()
    pom = re.sub(r"<parent>.*?</parent>", "", pom, flags=re.S)
    return re.search(r"<version>([^<]+)</version>", pom).group(1)


def norm(member_name):
    """A layer member's name as an absolute path ("./app/x", "app/x/" -> "/app/x")."""
    n = member_name[2:] if member_name.startswith("./") else member_name
    return "/" + n.strip("/")


def open_layer(path):
    with open(path, "rb") as f:
        magic = f.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def layer_digest_and_names(path):
    """SHA-256 of the uncompressed layer and its member names (normalised to absolute paths)."""
    h = hashlib.sha256()
    with open_layer(path) as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    names = {}
    with tarfile.open(path, "r:*") as t:
        for m in t:
            names[norm(m.name)] = m
    return "sha256:" + h.hexdigest(), names


def static_checks(module, tar, work):
    name, main = IMAGES[module]
    version = project_version()
    print(f"{module}: {tar} ({os.path.getsize(tar) / 2**20:.0f} MiB)")
    with tarfile.open(tar) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(work, filter="data")
        else:
            t.extractall(work)
    with open(os.path.join(work, "manifest.json")) as f:
        manifest = json.load(f)
    check(len(manifest) == 1, "manifest.json names one image")
    m = manifest[0]
    check(f"{name}:{version}" in m.get("RepoTags", []), f"tagged {name}:{version} (RepoTags {m.get('RepoTags')})")
    with open(os.path.join(work, m["Config"])) as f:
        config = json.load(f)
    c = config["config"]
    check(config.get("os") == "linux" and config.get("architecture"), f"os/architecture {config.get('os')}/{config.get('architecture')}")
    ep = c.get("Entrypoint") or []
    check(ep[:1] == ["java"] and ep[-1:] == [main], f"entrypoint runs java ... {main}: {' '.join(ep)}")
    check("-XX:MaxRAMPercentage=75" in ep, "entrypoint has -XX:MaxRAMPercentage=75")
    env = dict(e.split("=", 1) for e in c.get("Env", []))
    # the offline base (deploy/images/build-base.sh): Debian's JRE; a standard JRE base (eclipse-temurin) has its own
    check(env.get("JAVA_HOME", "").startswith(("/usr/lib/jvm/", "/opt/java/")), f"Env JAVA_HOME={env.get('JAVA_HOME')}")
    check("/usr/bin" in env.get("PATH", ""), f"Env PATH={env.get('PATH')}")
    check(env.get("LANG") == "C.UTF-8", f"Env LANG={env.get('LANG')}")
    check(c.get("WorkingDir") == "/app", f"WorkingDir {c.get('WorkingDir')}")
    check(c.get("User") not in (None, "", "0", "root", "0:0", "root:root"), f"runs as a user, not root (User {c.get('User')})")
    check({"8080/tcp", "8081/tcp"} <= set(c.get("ExposedPorts", {})), f"ExposedPorts {sorted(c.get('ExposedPorts', {}))}")

    diff_ids = config["rootfs"]["diff_ids"]
    check(len(diff_ids) == len(m["Layers"]), f"{len(m['Layers'])} layers, {len(diff_ids)} diff_ids")
    files = {}
    for i, layer in enumerate(m["Layers"]):
        digest, names = layer_digest_and_names(os.path.join(work, layer))
        check(digest == diff_ids[i], f"layer {i} ({len(names)} entries) matches its diff_id {diff_ids[i][:19]}...")
        files.update(names)
    java = [p for p in files if re.fullmatch(r"/usr/lib/jvm/[^/]+/bin/java", p)]
    check(bool(java), f"a JVM: {java}")
    check(os.path.join(env.get("JAVA_HOME", "?"), "bin/java") in java, "JAVA_HOME/bin/java exists")
    main_class = "/app/classes/" + main.replace(".", "/") + ".class"
    check(main_class in files, main_class)
    libs = [p for p in files if re.fullmatch(r"/app/libs/[^/]+\.jar", p)]
    check(len(libs) > 10, f"/app/libs: {len(libs)} jars")
    check(any(re.fullmatch(r"/app/libs/common-[^/]+\.jar", p) for p in libs), "/app/libs/common-*.jar (the common module)")
    cp_member = files.get("/app/jib-classpath-file")
    if check(cp_member is not None, "/app/jib-classpath-file"):
        cp = None
        for i, layer in enumerate(m["Layers"]):
            with tarfile.open(os.path.join(work, layer), "r:*") as t:
                for mem in t:
                    if norm(mem.name) == "/app/jib-classpath-file":
                        cp = t.extractfile(mem).read().decode().strip()
        entries = cp.split(":")
        missing = [e for e in entries if e not in files and not e.endswith("/*")]
        check(not missing, f"all {len(entries)} classpath entries are in the layers" + (f" (missing {missing[:5]})" if missing else ""))
    return m, config


def run_checks(module, work, m, config):
    name, main = IMAGES[module]
    rootfs = os.path.join(work, "rootfs")
    os.makedirs(rootfs)
    for layer in m["Layers"]:
        # Jib's layers carry libarchive's creation-time headers, which GNU tar does not know
        subprocess.run(["tar", "--warning=no-unknown-keyword", "-xpf", os.path.join(work, layer), "--numeric-owner",
                        "-C", rootfs], check=True)
        whiteouts = subprocess.run(["tar", "--warning=no-unknown-keyword", "-tf", os.path.join(work, layer)],
                                   capture_output=True, text=True).stdout
        check(".wh." not in whiteouts, "layer without whiteouts (unpacked by plain tar)")
    for d in ("proc", "dev", "tmp"):
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    os.chmod(os.path.join(rootfs, "tmp"), 0o1777)  # as in a container: the image's user writes there
    c = config["config"]
    env = ["/usr/bin/env", "-i"] + c.get("Env", []) + ["HOME=/root"]
    wd = c.get("WorkingDir", "/")

    smoke_dir = None
    if shutil.which("javac"):
        smoke_dir = os.path.join(rootfs, "tmp", "smoke")
        os.makedirs(smoke_dir)
        subprocess.run(["javac", "--release", "17", "-d", smoke_dir, os.path.join(HERE, "NativeSmoke.java")], check=True)

    def chroot(cmd, timeout, as_user=False):
        # private mount, pid and network namespaces: /proc and the device nodes are mounted only for this run, and
        # the application reaches no host service.
        devs = " ".join(f"touch {rootfs}/dev/{d} && mount --bind /dev/{d} {rootfs}/dev/{d} &&" for d in ("null", "zero", "random", "urandom"))
        inner = " ".join("'" + a.replace("'", "'\\''") + "'" for a in env + ["sh", "-c", f"cd {wd} && exec \"$@\"", "sh"] + cmd)
        user = f"--userspec={c.get('User')} " if as_user and c.get("User") else ""
        script = f"{devs} exec chroot {user}{rootfs} {inner}"
        try:
            p = subprocess.run(["unshare", "--mount", "--pid", "--net", "--fork", f"--mount-proc={rootfs}/proc", "sh", "-c", script],
                               capture_output=True, text=True, timeout=timeout)
            return p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"") + (e.stderr or b"")
            return None, out.decode(errors="replace") if isinstance(out, bytes) else out

    rc, out = chroot(["java", "-version"], 120)
    check(rc == 0 and "openjdk version \"17" in out, "chroot: java -version -> " + (out.strip().splitlines() or ["?"])[0])
    if smoke_dir:
        with open(os.path.join(rootfs, "app", "jib-classpath-file")) as f:
            cp = f.read().strip()
        rc, out = chroot(["java", "-cp", cp + ":/tmp/smoke", "NativeSmoke", main], 300, as_user=True)
        for line in out.strip().splitlines():
            print("       | " + line)
        check(rc == 0 and "NATIVE-SMOKE-OK" in out, "chroot: main class and native libraries (OpenCV, OpenBLAS, FFmpeg, ONNX Runtime) load")
    else:
        print("  skip native smoke: no javac here to compile NativeSmoke.java")

    ep = c["Entrypoint"] + (c.get("Cmd") or [])
    app_env = ["SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:9/none", "SPRING_DATASOURCE_USERNAME=x",
               "SPRING_DATASOURCE_PASSWORD=x", "SPRING_KAFKA_BOOTSTRAPSERVERS=127.0.0.1:9", "FACEREC_MODELSDIR=/tmp/models",
               "FACEREC_MEDIAROOT=/tmp", "THUMBNAIL_SAVE_PATH=/tmp/thumbnails", "LOG_DIR=/tmp/logs"]
    rc, out = chroot(["/usr/bin/env"] + app_env + ep, 240, as_user=True)  # as the image's user, not root
    simple = main.rsplit(".", 1)[1]
    started = re.search(r"Starting " + simple + r"\b.*", out)
    causes = [l for l in out.splitlines() if l.startswith("Caused by:")]
    why = causes[-1] if causes else next((l for l in out.splitlines() if "Exception" in l), "")
    check(bool(started), "chroot: the entrypoint starts Spring Boot: " + (started.group(0)[:140] if started else out[-400:]))
    print(f"       (then exit code {rc if rc is not None else 'none: stopped after 240 s'}; root cause: {why.strip()[:240]})")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    run = "--no-run" not in sys.argv
    if run and os.geteuid() != 0:
        print("not root: static checks only (--no-run)")
        run = False
    if run and not (shutil.which("unshare") and shutil.which("chroot")):
        print("no unshare/chroot: static checks only")
        run = False
    for module in args or list(IMAGES):
        tar = os.path.join(ROOT, module, "target", "jib-image.tar")
        if not check(os.path.isfile(tar), f"{module}: {tar} exists"):
            continue
        work = tempfile.mkdtemp(prefix="facerec-image-check.")
        try:
            m, config = static_checks(module, tar, work)
            if run:
                run_checks(module, work, m, config)
        finally:
            subprocess.run(["rm", "-rf", "--one-file-system", work])
    print(f"\n{len(failures)} failure(s)" + ("".join("\n  " + f for f in failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
