#!/usr/bin/env python3
"""-o max_memory bounds the daemon: large images analysed at once under a
small budget (docs/design.md, "Budget").

Phases, on one daemon (-o max_memory=256M unless --budget says otherwise):
  1. warm-up: two 16 Mpx photos (larger than any engine's working size:
     Tesseract reads at most 4096 pixels a side), each analyzer on both at
     once, so every engine is loaded on both workers at its largest. The
     daemon's resident size above what the budget charges is then the
     overhead the budget does not cover: the runtime, the libraries and the
     engines (their models and buffers).
  2. one at a time: the large images (20 to 50 Mpx JPEGs made here) stored,
     then every sidecar of each read alone. This is what fits the budget
     beside them.
  3. all at once: fresh copies of the same images in their place, every
     sidecar of every image read concurrently, with the peak resident size
     (VmHWM) reset first.

Fails when the peak of phase 3 passes budget + overhead + MARGIN, when a
sidecar that phase 2 computed fails in phase 3 (the answer must not depend
on what else runs), or when a reader hangs (a watchdog aborts the FUSE
connection, so the test itself never does). Prints its figures.

  tests/stress/budget_stress.py --binary build/fs/visionfs [--models DIR]
"""
import argparse, concurrent.futures, errno, io, json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stress  # noqa: E402  (mountinfo_line, abort_connection)

from PIL import Image  # Debian's python3-pil

SAMPLES = "/usr/share/doc/opencv-doc/examples/data"
MEGAPIXELS = [20, 25, 30, 35, 40, 50]
MIB = 1 << 20
# What the peak may pass budget + overhead by: malloc's rounding and the
# pages it cannot return at once (a few MiB, docs/PERFORMANCE.md "Memory"),
# the FUSE threads' 1 MiB receive buffers for requests beyond phase 1's,
# and the estimates' own error (each within a few percent of the measured
# peak, bench/memory_bench.sh): 32 MiB.
MARGIN_MIB = 32
READ_TIMEOUT = 600


def status(pid, field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def stats(mnt):
    return json.load(open(os.path.join(mnt, ".visionfs", "stats.json")))


def large_jpeg(megapixels):
    photo = Image.open(os.path.join(SAMPLES, "messi5.jpg"))
    scale = (megapixels * 1e6 / (photo.width * photo.height)) ** 0.5
    big = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.BICUBIC)
    out = io.BytesIO()
    big.save(out, "JPEG", quality=85)
    return out.getvalue()


def read(path):
    """What reading a sidecar gives: "ok", its error code, or the errno name."""
    try:
        with open(path, "rb") as f:
            doc = json.loads(f.read())
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return f"error {doc['error']['code']}" if "error" in doc else "ok"


def read_all(paths, mnt, workers):
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(read, p): p for p in paths}
        done, pending = concurrent.futures.wait(futures, timeout=READ_TIMEOUT)
        if pending:
            stress.abort_connection(mnt)  # frees the readers stuck in the kernel
            raise SystemExit(f"budget_stress: {len(pending)} reads hung for {READ_TIMEOUT} s")
        return {futures[f]: f.result() for f in done}


def sidecars(mnt, name, analyzers):
    return [os.path.join(mnt, f"{name}.{a}.json") for a in analyzers]


def warm_up(mnt, analyzers):
    names = []
    for i, mp in enumerate([16, 16.5]):
        names.append(f"warm-{i}.jpg")
        open(os.path.join(mnt, names[-1]), "wb").write(large_jpeg(mp))
    results = {}
    for analyzer in analyzers:
        results.update(read_all([s for n in names for s in sidecars(mnt, n, [analyzer])], mnt, 2))
    bad = {p: r for p, r in results.items() if r != "ok"}
    if bad:
        raise SystemExit(f"budget_stress: warm-up sidecars failed: {bad}")
    for n in names:
        os.unlink(os.path.join(mnt, n))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", required=True)
    ap.add_argument("--models", default="/nonexistent/visionfs-test-models")
    ap.add_argument("--budget", default="256M")
    ap.add_argument("--options", default="", help="extra -o options for the daemon (workers=1)")
    args = ap.parse_args()
    images = {f"large-{mp}mpx.jpg": large_jpeg(mp) for mp in MEGAPIXELS}

    top = tempfile.mkdtemp(prefix="visionfs-budget-")
    mnt = os.path.join(top, "mnt")
    os.mkdir(mnt)
    log = open(os.path.join(top, "daemon.log"), "w")
    opts = f"max_memory={args.budget},models={args.models},ttl=1h,unload_idle=1h" + \
        ("," + args.options if args.options else "")
    daemon = subprocess.Popen([args.binary, "-f", "-o", opts, mnt], stdout=log, stderr=subprocess.STDOUT)
    failures = []
    try:
        for _ in range(100):
            if stress.mountinfo_line(mnt):
                break
            time.sleep(0.1)
        else:
            raise SystemExit("budget_stress: the mount did not appear")
        config = json.load(open(os.path.join(mnt, ".visionfs", "config.json")))
        analyzers = config["analyzers"]

        warm_up(mnt, analyzers)
        memory = stats(mnt)["memory"]
        budget = memory["budgetBytes"]
        overhead = status(daemon.pid, "VmRSS") - memory["chargedBytes"]
        print(f"budget_stress: budget {budget / MIB:.0f} MiB; warm overhead {overhead / MIB:.0f} MiB "
              f"({memory['engineInstances']} engine instances, {len(analyzers)} analyzers)")

        alone = {}
        for name, data in images.items():
            open(os.path.join(mnt, name), "wb").write(data)
        for name in images:
            for path in sidecars(mnt, name, analyzers):
                alone[(name, os.path.basename(path))] = read(path)
        for name in images:
            os.unlink(os.path.join(mnt, name))
        print("budget_stress: alone: " + ", ".join(f"{k[1]} {v}" for k, v in alone.items() if v != "ok"))

        for name, data in images.items():
            open(os.path.join(mnt, "again-" + name), "wb").write(data)
        open(f"/proc/{daemon.pid}/clear_refs", "w").write("5")  # VmHWM from here
        start = time.monotonic()
        paths = [s for name in images for s in sidecars(mnt, "again-" + name, analyzers)]
        together = read_all(paths, mnt, len(paths))
        peak = status(daemon.pid, "VmHWM")
        after = stats(mnt)["memory"]
        print(f"budget_stress: {len(paths)} sidecars of {len(images)} images at once in "
              f"{time.monotonic() - start:.0f} s; peak RSS {peak / MIB:.0f} MiB against budget + overhead "
              f"{(budget + overhead) / MIB:.0f} MiB (margin {MARGIN_MIB}); waited for memory: "
              f"refused full {after['analysesRefusedBudgetFull']}, too large {after['analysesRefusedTooLarge']}")
        if peak > budget + overhead + MARGIN_MIB * MIB:
            failures.append(f"peak RSS {peak / MIB:.0f} MiB passed budget {budget / MIB:.0f} + overhead "
                            f"{overhead / MIB:.0f} + {MARGIN_MIB} MiB")
        for path, result in together.items():
            name = os.path.basename(path)[len("again-"):]
            image = name[:name.index(".jpg") + 4]
            if alone[(image, name)] == "ok" and result != "ok":
                failures.append(f"{name}: {result} at once, but computed alone")
        if not any(v == "ok" for v in alone.values()):
            failures.append("no sidecar of a large image fitted the budget even alone: the test proves nothing")
    finally:
        subprocess.run(["fusermount3", "-u", mnt], check=False)
        try:
            if daemon.wait(timeout=60) != 0:
                failures.append(f"the daemon exited with {daemon.returncode}")
        except subprocess.TimeoutExpired:
            daemon.kill()
            failures.append("the daemon did not exit after the unmount")
        log.close()
        text = open(os.path.join(top, "daemon.log")).read()
        for marker in ("[error]", "[critical]", "AddressSanitizer", "ThreadSanitizer", "runtime error"):
            if marker in text:
                failures.append(f"daemon log has {marker}: {text[text.find(marker) - 200:][:600]}")
        shutil.rmtree(top, ignore_errors=True)
    return failures


if __name__ == "__main__":
    problems = main()
    for p in problems:
        print(f"budget_stress: FAILED: {p}", file=sys.stderr)
    print(f"budget_stress: {'FAILED' if problems else 'passed'}")
    sys.exit(1 if problems else 0)
