#!/usr/bin/env python3
"""scripts/install-models.sh's download path against a local HTTP server on
127.0.0.1 that serves the upstream layout (OWNER/REPO/COMMIT/PATH, as
raw.githubusercontent.com), made from a models directory (../shared/models in
CI). The nsfwjs package comes from the real npm registry, and its conversion
must reproduce the committed checksum. Checked: a good install; a checksum
mismatch, an interrupted download and a missing file each install nothing.

The PP-OCR originals are not in ../shared/models (only the converted files
are), so the text group is exercised only when --ppocr DIR holds them
(en_PP-OCRv3_det_infer.onnx, en_number_mobile_v2.0_rec_infer.onnx).

Usage: download_test.py --models DIR [--ppocr DIR]"""
import argparse, hashlib, http.server, os, shutil, subprocess, sys, tempfile, threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALL = os.path.join(ROOT, "scripts", "install-models.sh")


def sources():
    for line in open(os.path.join(ROOT, "scripts", "models", "sources.tsv")):
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def checksums():
    out = {}
    for line in open(os.path.join(ROOT, "scripts", "models.sha256")):
        if line.strip() and not line.startswith("#"):
            digest, path = line.split()
            out[path] = digest
    return out


def make_mirror(models, ppocr, mirror):
    """The upstream layout; returns the groups it can serve."""
    groups = {"face", "objects", "classify", "wechat_qrcode", "nsfw"}
    originals = {"ppocr-det": "en_PP-OCRv3_det_infer.onnx", "ppocr-rec": "en_number_mobile_v2.0_rec_infer.onnx"}
    for path, kind, source, _ in sources():
        if kind == "github":
            src = os.path.join(models, path)
        elif kind in originals and ppocr:
            src = os.path.join(ppocr, originals[kind])
        else:
            continue
        os.makedirs(os.path.dirname(os.path.join(mirror, source)), exist_ok=True)
        shutil.copy(src, os.path.join(mirror, source))
    if ppocr:
        groups.add("text")
    return groups


class Server:
    """Serves `root`; paths in `truncated` send half their bytes and close."""

    def __init__(self, root):
        self.truncated = set()
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **k):
                super().__init__(*a, directory=root, **k)

            def log_message(self, *a):
                pass

            def do_GET(self):
                rel = self.path.lstrip("/")
                if rel in server.truncated:
                    data = open(os.path.join(root, rel), "rb").read()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]


def install(server, groups, dest):
    env = dict(os.environ, VISIONFS_MODELS_GITHUB=server.url)
    r = subprocess.run(["bash", INSTALL, "--only", ":".join(sorted(groups)), "--dest", dest],
                       env=env, capture_output=True, text=True, timeout=900)
    return r.returncode, r.stdout + r.stderr


def installed(dest):
    return sorted(os.path.relpath(os.path.join(d, f), dest) for d, _, fs in os.walk(dest) for f in fs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", required=True)
    ap.add_argument("--ppocr")
    args = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as top:
        mirror = os.path.join(top, "mirror")
        groups = make_mirror(args.models, args.ppocr, mirror)
        if not shutil.which("node"):
            print("NOTE: no node here: the nsfw group (converted from the npm package) is not checked")
            groups.discard("nsfw")
        if not args.ppocr:
            print("NOTE: no --ppocr originals: the text group is not checked")
        server = Server(mirror)
        sums = checksums()

        dest = os.path.join(top, "good")
        rc, log = install(server, groups, dest)
        want = sorted(p for p, *_ in sources() if p.split("/")[0] in groups)
        if rc != 0 or installed(dest) != want:
            failures.append("good install: rc %d, installed %s\n%s" % (rc, installed(dest), log))
        for path in installed(dest):
            digest = hashlib.sha256(open(os.path.join(dest, path), "rb").read()).hexdigest()
            if digest != sums[path]:
                failures.append("%s: sha256 %s, expected %s" % (path, digest, sums[path]))
        print("good install: %d files, nsfwjs converted from npm to its committed checksum" % len(installed(dest)))

        yolox = next(s for p, k, s, _ in sources() if p == "objects/yolox_nano.onnx")
        original = open(os.path.join(mirror, yolox), "rb").read()
        cases = {
            "checksum mismatch": lambda: open(os.path.join(mirror, yolox), "wb").write(original[:-1] + b"\0"),
            "interrupted download": lambda: server.truncated.add(yolox),
            "missing file": lambda: os.remove(os.path.join(mirror, yolox)),
        }
        for name, damage in cases.items():
            open(os.path.join(mirror, yolox), "wb").write(original)
            server.truncated.clear()
            damage()
            dest = os.path.join(top, name.replace(" ", "-"))
            rc, log = install(server, groups - {"nsfw"}, dest)
            left = installed(dest) if os.path.isdir(dest) else []
            ok = rc == 1 and not left
            print("%s: exit %d, %d files installed%s" % (name, rc, len(left), "" if ok else "  <-- FAILED"))
            if not ok:
                failures.append("%s: rc %d, left %s\n%s" % (name, rc, left, log))
    for f in failures:
        print("FAILED: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
