"""mlrt.distributed on a local Dask cluster of 2 worker processes (1 thread each): a 48-frame
clip in 4 chunks gives the frames and audio of one `mlrt run`, survives a worker killed in the
middle of a chunk, and resumes an interrupted run without recomputing finished chunks. Bad
option values are refused before the first chunk with mlrt's own message, Ctrl-C prints one
line, and the README's several-machines commands work as written."""
import json
import os
import subprocess
import sys

import pytest

from conftest import BUILD, PACKAGE_DIR, ROOT, media

MLRT_BIN = os.environ.get("MLRT_BIN") or str(BUILD / "src" / "cli" / "mlrt")
WRITE_MODEL = BUILD / "tests" / "mlrt_write_test_model"

try:
    import distributed
    DASK_SKIP = None
except ImportError as e:
    DASK_SKIP = f"Dask's distributed is not installed (python3-distributed): {e}"

pytestmark = [
    pytest.mark.skipif(DASK_SKIP is not None, reason=DASK_SKIP or ""),
    pytest.mark.skipif(not os.path.exists(MLRT_BIN), reason=f"the mlrt binary was not built ({MLRT_BIN})"),
    pytest.mark.skipif(subprocess.run(["which", "ffmpeg"], capture_output=True).returncode != 0,
                       reason="ffmpeg is not installed"),
]


ffmpeg, framemd5, audio_bytes = media.ffmpeg, media.framemd5, media.audio_bytes


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    """The clip (48 frames of 64x48 with audio), a model, and one `mlrt run`'s output."""
    d = tmp_path_factory.mktemp("distributed")
    clip = d / "in.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=2", "-f", "lavfi", "-i",
           "sine=frequency=440:duration=2", "-map", "0:v", "-map", "1:a", "-c:v", "ffv1", "-c:a",
           "aac", clip)
    model = d / "upscale2x.onnx"
    subprocess.run([MLRT_BIN, "make-model", "--quiet", "--kind", "upscale2x", model], check=True)
    full = d / "full.mkv"
    subprocess.run([MLRT_BIN, "run", "-q", model, clip, full], check=True)
    frames = framemd5(full)
    assert len(frames) == 48
    return {"clip": clip, "model": model, "frames": frames, "audio": audio_bytes(full)}


@pytest.fixture()
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture()
def wrapper(tmp_path):
    """wrapper(body): an `mlrt` that logs its arguments to tmp_path/calls.log, runs the shell
    `body` (with $ARGS the arguments) and then the real binary."""
    def make(body=""):
        path = tmp_path / "mlrt-wrapper"
        path.write_text(f"#!/bin/bash\nARGS=\" $* \"\necho \"$*\" >> {tmp_path / 'calls.log'}\n"
                        f"{body}\nexec {MLRT_BIN} \"$@\"\n")
        path.chmod(0o755)
        return str(path)
    return make


def chunk_runs(tmp_path):
    log = tmp_path / "calls.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return [line.split("--frames ")[1].split()[0] for line in lines
            if line.startswith("run ") and "--frames " in line and "mlrt-check-" not in line]


def check_runs(tmp_path):
    """The runs that checked the job's options on its first frame before the first chunk."""
    log = tmp_path / "calls.log"
    return [line for line in (log.read_text().splitlines() if log.exists() else [])
            if line.startswith("run ") and "mlrt-check-" in line]


def check_output(out, job):
    assert framemd5(out) == job["frames"]
    assert audio_bytes(out) == job["audio"] and len(job["audio"]) > 0


def test_four_chunks_on_two_workers_equal_one_run(job, client, tmp_path):
    from mlrt import distributed as md
    seen = []
    work = tmp_path / "work"
    r = md.run(job["model"], job["clip"], tmp_path / "out.mkv", chunks=4, client=client,
               work_dir=work, progress=lambda done, total, info: seen.append((done, total)))
    check_output(tmp_path / "out.mkv", job)
    assert (r.frames, r.chunks, r.computed) == (48, 4, 4)
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    m = json.loads((work / "manifest.json").read_text())
    assert [(c["start"], c["end"], c["frames"], c["state"]) for c in m["chunks"]] == [
        (0, 12, 12, "done"), (12, 24, 12, "done"), (24, 36, 12, "done"), (36, 48, 12, "done")]
    import hashlib
    for c in m["chunks"]:
        assert hashlib.sha256((work / c["segment"]).read_bytes()).hexdigest() == c["sha256"]
    # Both workers took chunks.
    assert len({c["worker"] for c in m["chunks"]}) == 2
    with pytest.raises(ValueError, match="exists"):
        md.run(job["model"], job["clip"], tmp_path / "out.mkv", chunks=4, client=client)


def test_command_line(job, client, tmp_path):
    out = tmp_path / "cli.mkv"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR), "MLRT_BIN": MLRT_BIN}
    p = subprocess.run([sys.executable, "-m", "mlrt.distributed", job["model"], job["clip"], out,
                        "--scheduler", client.scheduler.address, "--chunks", "4", "--tilesize",
                        "32", "--overlap", "4"], capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "4/4 chunks" in p.stderr and "wrote 48 frame(s)" in p.stderr
    check_output(out, job)  # tiles do not change the frames
    assert not list(tmp_path.glob("mlrt-work-*"))  # its own work dir goes after success
    p = subprocess.run([sys.executable, "-m", "mlrt.distributed", job["model"], job["clip"], out,
                        "--scheduler", client.scheduler.address, "--frames", "0:4"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 1 and "--frames is set by the driver" in p.stderr


def test_a_killed_worker_does_not_change_the_output(job, client, tmp_path, wrapper):
    from mlrt import distributed as md
    marker = tmp_path / "killed"
    # The first run of chunk 12:24 kills its worker process (the wrapper's parent) mid-chunk.
    binary = wrapper(f'if [[ "$ARGS" == *" --frames 12:24 "* && ! -e {marker} ]]; then\n'
                     f'  touch {marker}; kill -9 $PPID; sleep 5; exit 1\nfi')
    pids = set(client.run(os.getpid).values())
    r = md.run(job["model"], job["clip"], tmp_path / "out.mkv", chunks=4, client=client,
               work_dir=tmp_path / "work", binary=binary, progress=False)
    assert marker.exists()
    assert len(pids - set(client.run(os.getpid).values())) == 1  # that worker was replaced
    assert sorted(chunk_runs(tmp_path)) == ["0:12", "12:24", "12:24", "24:36", "36:48"]
    assert r.computed == 4
    check_output(tmp_path / "out.mkv", job)


def test_an_interrupted_run_resumes_without_recomputing(job, client, tmp_path, wrapper):
    from mlrt import distributed as md
    fail = tmp_path / "fail"
    fail.touch()
    binary = wrapper(f'if [[ "$ARGS" == *" --frames 24:36 "* && -e {fail} ]]; then\n'
                     '  echo "mlrt: error: stopped for the test" >&2; exit 1\nfi')
    work, out = tmp_path / "work", tmp_path / "out.mkv"
    with pytest.raises(RuntimeError, match=r"1 of 4 chunk\(s\) failed.*First: chunk 2 \(frames "
                                           r"24:36\) failed \(mlrt exited 1\): mlrt: error: "
                                           r"stopped for the test$"):
        md.run(job["model"], job["clip"], out, chunks=4, client=client, work_dir=work,
               binary=binary, retries=0, progress=False)
    assert not out.exists()
    first = json.loads((work / "manifest.json").read_text())
    assert [c["state"] for c in first["chunks"]] == ["done", "done", "pending", "done"]
    mtimes = {c["segment"]: (work / c["segment"]).stat().st_mtime_ns
              for c in first["chunks"] if c["state"] == "done"}
    runs_before = len(chunk_runs(tmp_path))

    fail.unlink()
    r = md.run(job["model"], job["clip"], out, chunks=4, client=client, work_dir=work,
               binary=binary, progress=False)
    assert r.computed == 1 and r.chunks == 4
    assert chunk_runs(tmp_path)[runs_before:] == ["24:36"]  # only the missing chunk ran
    second = json.loads((work / "manifest.json").read_text())
    for a, b in zip(first["chunks"], second["chunks"]):
        if a["state"] == "done":
            assert a == b  # the same record: not run again
            assert (work / a["segment"]).stat().st_mtime_ns == mtimes[a["segment"]]
    assert second["chunks"][2]["state"] == "done" and second["chunks"][2]["frames"] == 12
    check_output(out, job)


def test_chunk_plan_cuts_at_keyframes():
    from mlrt._chunks import plan_chunks
    assert plan_chunks(48, list(range(48)), 4) == [(0, 12), (12, 24), (24, 36), (36, 48)]
    # Split points 16 and 32 move to the nearest keyframes, 12 and 36.
    assert plan_chunks(48, [0, 12, 24, 36], 3) == [(0, 12), (12, 36), (36, 48)]
    assert plan_chunks(48, [0], 4) == [(0, 48)]  # one GOP: one chunk
    assert plan_chunks(100, [0, 50], 8) == [(0, 50), (50, 100)]
    assert plan_chunks(10, list(range(10)), 1) == [(0, 10)]


def test_int8_without_a_shared_calibration_is_refused(tmp_path):
    from mlrt import distributed

    with pytest.raises(ValueError, match="--int8 needs --calibration FILE"):
        distributed._check_raw_args(["--int8"])
    with pytest.raises(ValueError, match="--int8 needs --calibration FILE"):
        distributed._check_raw_args(["--int8", "--calibration", str(tmp_path / "missing")])
    (tmp_path / "c").write_text("x")
    distributed._check_raw_args(["--int8", "--calibration", str(tmp_path / "c")])


@pytest.mark.parametrize("mode, per_frame", [("frame", 1), ("field", 2)])
def test_deinterlaced_chunks_equal_one_deinterlaced_run(client, tmp_path, mode, per_frame):
    # Chunks start with the neighbours bwdif gives their first frame in a whole run; at field
    # rate the cuts are in fields (two per input frame), so every chunk is whole fields.
    from mlrt import distributed as md
    clip = tmp_path / "int.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=48:duration=1", "-vf", "interlace", "-c:v", "ffv1",
           "-g", "6", "-field_order", "tt", clip)
    model = tmp_path / "identity.onnx"
    subprocess.run([MLRT_BIN, "make-model", "--quiet", "--kind", "identity", model], check=True)
    full = tmp_path / "full.mkv"
    subprocess.run([MLRT_BIN, "run", "-q", model, clip, full, "--deinterlace", mode], check=True)
    r = md.run(model, clip, tmp_path / "out.mkv", chunks=3, client=client, deinterlace=mode)
    assert r.frames == per_frame * 24 and r.chunks == 3
    assert framemd5(tmp_path / "out.mkv") == framemd5(full)


@pytest.mark.parametrize("flags", [{"window": 3}, {"interpolate": 2}], ids=["window", "interpolate"])
def test_temporal_chunks_equal_one_run(client, tmp_path, flags):
    # Each chunk reads the frames beyond its range that its edge frames are made from; under
    # --interpolate a chunk holds N frames per input frame.
    from mlrt import distributed as md
    clip = tmp_path / "in.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=1", "-c:v", "ffv1", "-g", "6", clip)
    model = tmp_path / "m.onnx"
    kind = ["conv", 9, 3, 2, 1, 3, 8] if "window" in flags else ["interpolator", 3]
    subprocess.run([str(WRITE_MODEL), model, *map(str, kind)], check=True)
    key, value = next(iter(flags.items()))
    full = tmp_path / "full.mkv"
    subprocess.run([MLRT_BIN, "run", "-q", model, clip, full, f"--{key}", str(value)], check=True)
    r = md.run(model, clip, tmp_path / "out.mkv", chunks=3, client=client, **flags)
    assert r.chunks == 3 and r.frames == 24 * flags.get("interpolate", 1)
    assert framemd5(tmp_path / "out.mkv") == framemd5(full)


def test_the_documented_call_works_in_a_plain_script(job, tmp_path):
    # The README's Python call as the whole body of a script, without `if __name__ ==
    # "__main__":`: the default local cluster must not re-import the script.
    out = tmp_path / "out.mkv"
    script = tmp_path / "upscale.py"
    script.write_text("import mlrt.distributed\n"
                      f"mlrt.distributed.run({str(job['model'])!r}, {str(job['clip'])!r}, "
                      f"{str(out)!r}, chunks=2)\n")
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR), MLRT_BIN=MLRT_BIN)
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                       timeout=180, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    assert len(p.stderr.splitlines()) < 50, p.stderr[-3000:]
    check_output(out, job)


@pytest.mark.parametrize("output, args, message", [
    ("out.mp4", [], "the output is FFV1 in Matroska: name it .mkv, not 'out.mp4'"),
    ("out.mkv", ["--tilesise", "256"], "`mlrt run` has no flag --tilesise (did you mean --tilesize?)"),
])
def test_what_every_chunk_would_fail_on_is_refused_before_the_first(job, tmp_path, wrapper, output,
                                                                      args, message):
    from mlrt import distributed as md
    out = tmp_path / output
    binary = wrapper()
    with pytest.raises(ValueError) as info:
        md.run(job["model"], job["clip"], out, chunks=4, binary=binary, extra_args=args,
               progress=False)
    assert message in str(info.value)
    assert chunk_runs(tmp_path) == []  # no chunk ran
    assert list(tmp_path.glob("mlrt-work-*")) == [] and not out.exists()


# mlrt's own message for each: checked by `mlrt run` itself, once, before any chunk.
BAD_VALUES = [
    (["--streams", "0"], "mlrt: error: --streams must be in 1..64, got 0"),
    (["--tilesize", "abc"], "mlrt: error: --tilesize: 'abc' is not W or WxH (integers)"),
    (["--streams", "abc"], "mlrt: error: Could not convert: --streams = abc"),
    (["--tilesize", "32", "--overlap", "40"],
     "mlrt: error: --overlap is too large for tilesize: the width step 32 - 2*40 is not positive"),
]


@pytest.mark.parametrize("args, message", BAD_VALUES, ids=[" ".join(a) for a, _ in BAD_VALUES])
def test_a_bad_value_is_refused_with_mlrts_message_before_the_first_chunk(job, tmp_path, wrapper,
                                                                          args, message):
    from mlrt import distributed as md
    out = tmp_path / "out.mkv"
    binary = wrapper()
    with pytest.raises(ValueError) as info:
        md.run(job["model"], job["clip"], out, chunks=4, binary=binary, extra_args=args,
               progress=False, workers=1)
    text = str(info.value)
    assert text.count(message) == 1, text
    assert f"`mlrt run {' '.join(args)}` fails" in text  # names the flags given
    assert len(check_runs(tmp_path)) == 1 and chunk_runs(tmp_path) == []  # checked once, no chunk
    assert list(tmp_path.glob("mlrt-work-*")) == [] and not out.exists()


def test_a_bad_value_on_the_command_line(job, tmp_path, wrapper):
    args, message = BAD_VALUES[0]
    out = tmp_path / "out.mkv"
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR)}
    p = subprocess.run([sys.executable, "-m", "mlrt.distributed", job["model"], job["clip"], out,
                        "--chunks", "4", "--workers", "1", "--binary", wrapper(), *args],
                       capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    assert p.returncode == 1
    assert p.stderr.count(message) == 1 and len(p.stderr.splitlines()) == 1, p.stderr
    assert p.stderr.startswith("mlrt.distributed: error: `mlrt run --streams 0` fails")
    assert chunk_runs(tmp_path) == [] and list(tmp_path.glob("mlrt-work-*")) == []
    assert not out.exists()


def test_fewer_chunks_than_asked_and_a_kept_work_folder_are_explained(job, tmp_path, capsys):
    from mlrt import distributed as md
    clip = tmp_path / "one-keyframe.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=2", "-c:v", "libx264",
           "-g", "100", clip)
    work, out = tmp_path / "work", tmp_path / "out.mkv"
    r = md.run(job["model"], clip, out, chunks=4, work_dir=work, workers=1)
    err = capsys.readouterr().err
    assert r.chunks == 1
    assert "1 chunk(s), not 4: chunks start at keyframes, and the input has 1 for 48 frame(s)" in err
    assert f"kept the work folder '{work}'" in err and work.is_dir()


def test_a_rerun_under_another_output_name_resumes_the_job(job, client, tmp_path, wrapper):
    from mlrt import distributed as md
    fail = tmp_path / "fail"
    fail.touch()
    binary = wrapper(f'if [[ "$ARGS" == *" --frames 24:36 "* && -e {fail} ]]; then\n'
                     '  echo "mlrt: error: stopped for the test" >&2; exit 1\nfi')
    with pytest.raises(RuntimeError, match="1 of 4 chunk"):
        md.run(job["model"], job["clip"], tmp_path / "first.mkv", chunks=4, client=client,
               binary=binary, retries=0, progress=False)
    assert len(list(tmp_path.glob("mlrt-work-*"))) == 1  # kept for the next run
    fail.unlink()
    (tmp_path / "calls.log").unlink()
    r = md.run(job["model"], job["clip"], tmp_path / "second.mkv", chunks=4, client=client,
               binary=binary, progress=False)
    assert (r.chunks, r.computed) == (4, 1)
    assert chunk_runs(tmp_path) == ["24:36"]
    check_output(tmp_path / "second.mkv", job)
    assert not list(tmp_path.glob("mlrt-work-*"))


@pytest.mark.parametrize("to", ["process group", "driver"])
def test_ctrl_c_prints_the_resume_line_and_nothing_else(job, tmp_path, wrapper, to):
    # SIGINT once chunks run, as a terminal's Ctrl-C sends it (to the whole process group, the
    # driver's `mlrt` processes included) or `kill -INT` (to the driver alone). Each chunk here
    # takes 30 s and, like mlrt, exits 130 on SIGINT; the driver must neither wait for a chunk
    # nor run an interrupted one again, and must stop the chunks of its local cluster itself.
    import signal
    import time
    pids = tmp_path / "pids"
    binary = wrapper(f'if [[ "$ARGS" == *" --frames "* && "$ARGS" != *mlrt-check-* ]]; then\n'
                     f'  echo $$ >> {pids}\n'
                     '  trap \'kill $sleeper 2>/dev/null; exit 130\' INT\n'
                     '  sleep 30 & sleeper=$!; wait $sleeper; exit 1\nfi')
    out = tmp_path / "out.mkv"
    command = [sys.executable, "-m", "mlrt.distributed", job["model"], job["clip"], out,
               "--chunks", "4", "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_DIR)}
    p = subprocess.Popen([*command, "--binary", binary], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
                         start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(chunk_runs(tmp_path)) < 2 and p.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(chunk_runs(tmp_path)) == 2, "no chunks started"
        time.sleep(0.5)
        interrupted = time.monotonic()
        if to == "driver":
            p.send_signal(signal.SIGINT)
        else:
            os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    assert p.returncode == 130, err
    assert err == "mlrt.distributed: interrupted; rerun the same command to resume\n", err
    assert "Traceback" not in err and "distributed." not in err and "tornado" not in err
    assert took < 15, f"{took:.1f} s to stop"  # not waiting for a chunk run again
    assert sorted(chunk_runs(tmp_path)) == ["0:12", "12:24"]  # no chunk started after it
    started = [int(x) for x in pids.read_text().split()]
    time.sleep(0.5)
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not out.exists() and len(list(tmp_path.glob("mlrt-work-*"))) == 1
    # Rerunning resumes the job (here with the real binary: the job is the same).
    p = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    check_output(out, job)
    assert not list(tmp_path.glob("mlrt-work-*"))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readme_several_machines_commands():
    """The README's "several machines" commands: [(environment assignments, argv)], continuation
    lines joined, comments dropped."""
    import shlex
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Scale-out: one video over many machines"):]
    begin = section.index("# several machines")
    block = section[begin:section.index("```", begin)].replace("\\\n", " ")
    commands = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = shlex.split(line)
        assignments = {}
        while "=" in words[0] and not words[0].startswith("-"):
            key, value = words.pop(0).split("=", 1)
            assignments[key] = value
        commands.append((assignments, words))
    return commands


def test_the_readmes_several_machines_recipe(job, tmp_path):
    # The README's "several machines" commands as written, on this machine: `dask scheduler`,
    # `dask worker` twice (two worker processes), and the driver against the scheduler, with a
    # free local port for tcp://HOST:8786, tmp_path for /shared, the CPU for CUDA and 4 chunks
    # for 64 (the clip has 48 frames); the output must equal one `mlrt run` of the job.
    import shutil
    import signal
    import time
    dask = shutil.which("dask")
    if dask is None:
        pytest.skip("the `dask` command is not installed (python3-distributed)")
    commands = readme_several_machines_commands()
    assert [argv[:2] for _, argv in commands] == [
        ["dask", "scheduler"], ["dask", "worker"], ["python3", "-m"]], commands
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(job["model"], shared / "model.onnx")
    shutil.copy(job["clip"], shared / "in.mkv")

    def adapt(assignments, argv):
        env = dict(os.environ)
        if env.get("MLRT_BIN") == str(BUILD / "src" / "cli" / "mlrt"):
            del env["MLRT_BIN"]  # as documented, each finds the mlrt built beside the package
        for key, value in assignments.items():  # build/python: this build's package
            env[key] = (str(BUILD / value.removeprefix("build/")) if value.startswith("build/")
                        else value)
        argv = [a.replace("tcp://HOST:8786", address).replace("/shared", str(shared))
                for a in argv]
        argv = [{"dask": dask, "python3": sys.executable, "cuda": "cpu"}.get(a, a) for a in argv]
        if "--chunks" in argv:
            argv[argv.index("--chunks") + 1] = "4"
        if argv[1] == "scheduler":  # the free port instead of 8786, no dashboard on 8787
            argv += ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
        return env, argv

    (scheduler, worker, driver) = (adapt(*c) for c in commands)
    assert worker[0]["PYTHONPATH"] == str(PACKAGE_DIR) == driver[0]["PYTHONPATH"]
    logs, procs = [], []

    def start(env, argv):
        log = open(tmp_path / f"{len(procs)}.log", "w")
        logs.append(log)
        procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                      cwd=tmp_path, start_new_session=True))

    try:
        start(*scheduler)
        start(*worker)
        start(*worker)
        with distributed.Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=60)
        p = subprocess.run(driver[1], capture_output=True, text=True, env=driver[0], timeout=120,
                           cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        assert "4/4 chunks" in p.stderr and "wrote 48 frame(s)" in p.stderr, p.stderr
        single = tmp_path / "single.mkv"
        subprocess.run([MLRT_BIN, "run", "-q", job["model"], job["clip"], single, "--backend",
                        "cpu", "--streams", "2"], check=True)
        assert framemd5(shared / "out.mkv") == framemd5(single) == job["frames"]
        assert audio_bytes(shared / "out.mkv") == job["audio"]
        m = json.loads((shared / "work" / "manifest.json").read_text())
        assert len(m["chunks"]) == 4 and len({c["worker"] for c in m["chunks"]}) == 2  # both ran
        import re
        assert re.search(rf"Scheduler at:\s+{address}\n", (tmp_path / "0.log").read_text())
    finally:
        for proc in procs:  # each command's process group: a worker is a nanny and its process
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        for log in logs:
            log.close()
