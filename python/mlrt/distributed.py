"""Scale-out: one video's frames spread over a Dask cluster, with the output of a single run.

    import mlrt.distributed
    mlrt.distributed.run("model.onnx", "in.mkv", "out.mkv", tilesize=(512, 512), overlap=16)

    python3 -m mlrt.distributed MODEL INPUT OUTPUT [--scheduler ADDRESS] [--chunks N] [run options]

Before the first chunk, the job's `mlrt run` is tried once on the input's first frame on a
worker, so that a bad option value is refused with mlrt's own message instead of failing every
chunk. The input is cut at keyframes into chunks; each chunk is one Dask task running
`mlrt run --frames A:B` (the `mlrt` command line on whichever worker is free), which writes a
lossless FFV1/Matroska segment into the work directory (shared storage when the workers are on
several machines: every machine must see the input, the model and the work directory at the
same paths). A chunk whose worker dies is run again elsewhere. A manifest in the work directory
records each finished chunk's frame range, frame count and checksum, so running the same job
again skips the chunks that are complete. `mlrt concat` then joins the segments, with the
input's audio and subtitles, into OUTPUT (FFV1 in Matroska).

Without a client or scheduler address, a local cluster sized to this machine is started.
The `mlrt` binary is found as `mlrt._cli.find_binary` says (MLRT_BIN, the build or install
tree of this package, PATH), on each worker for itself."""
from __future__ import annotations

if __name__ == "__main__":  # python3 -m mlrt.distributed: Ctrl-C from here on gives one line
    def _interrupted_early(signum, frame):
        import os as _os
        import sys as _sys
        print("mlrt.distributed: interrupted; rerun the same command to resume", file=_sys.stderr,
              flush=True)
        _os._exit(130)

    import signal as _signal
    _signal.signal(_signal.SIGINT, _interrupted_early)

import argparse
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import _chunks, _cli, _manifest

__all__ = ["run", "Result", "main"]

# Flags the driver sets itself: segments must be exact, lossless and silent.
_RESERVED = {"frames", "no_copy", "codec", "crf", "preset", "quiet", "q"}


@dataclass(frozen=True)
class Result:
    output: str
    frames: int
    chunks: int
    computed: int  # chunks run this time; the others came from an earlier, interrupted run
    seconds: float


def _option_args(options: dict) -> list[str]:
    """Keyword options as `mlrt run` flags: tilesize=(64, 64) -> --tilesize 64x64, fp16=True ->
    --fp16; False and None leave a flag out."""
    args: list[str] = []
    for key, value in options.items():
        if key in _RESERVED:
            raise ValueError(f"mlrt.distributed: option '{key}' is set by the driver itself")
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, (tuple, list)):
            args += [flag, "x".join(map(str, value))]
        else:
            args += [flag, str(value)]
    return args


def _check_run_flags(binary: str, args: list[str]) -> None:
    """Every --flag in `args` is one `mlrt run` knows (its --help lists them), else ValueError
    naming it and the nearest known one."""
    import difflib
    import re
    known = set(re.findall(r"--[a-z0-9][a-z0-9-]*",
                           _cli.run_command(binary, "run", "--help", what="mlrt run --help").stdout))
    for a in args:
        name = a.split("=", 1)[0]
        if name.startswith("--") and name not in known:
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise ValueError(f"mlrt.distributed: `mlrt run` has no flag {name}{hint}")


def _check_raw_args(args: list[str]) -> None:
    for a in args:
        name = a.split("=", 1)[0].lstrip("-").replace("-", "_")
        if a.startswith("-") and name in _RESERVED:
            raise ValueError(f"mlrt.distributed: {a.split('=', 1)[0]} is set by the driver itself")
    # Each chunk would otherwise calibrate on its own frames and quantize differently.
    if "--int8" in args:
        cal = next((args[i + 1] for i, a in enumerate(args[:-1]) if a == "--calibration"), None)
        cal = cal or next((a.split("=", 1)[1] for a in args if a.startswith("--calibration=")), None)
        if not cal or not os.path.exists(cal):
            raise ValueError("mlrt.distributed: --int8 needs --calibration FILE, an existing "
                             "calibration on storage every worker sees, so that all chunks "
                             "quantize alike; make one with `mlrt run MODEL INPUT sample.mkv "
                             "--int8 --calibration FILE --frames 0:100`")


def _frames_per_input_frame(args: list[str]) -> int:
    """2 under `--deinterlace field` (one frame per field: --frames counts fields), else 1."""
    for i, a in enumerate(args):
        if a == "--deinterlace=field" or (a == "--deinterlace" and args[i + 1:i + 2] == ["field"]):
            return 2
    return 1


def _outputs_per_frame(args: list[str]) -> int:
    """N under `--interpolate N` (N output frames per input frame, --frames counting input
    frames), else 1."""
    for i, a in enumerate(args):
        if a.startswith("--interpolate="):
            return int(a.split("=", 1)[1])
        if a == "--interpolate" and i + 1 < len(args):
            return int(args[i + 1])
    return 1


def _check_run(spec: dict) -> dict | None:
    """On a worker, before the first chunk: `mlrt run` with the job's options on its first frame
    into a temporary folder, so that mlrt itself checks every option's value (and that this
    worker can run the model as asked). None when it ran, else {"exit": N, "message": its
    error line}."""
    import tempfile
    binary = _cli.find_binary(spec["binary"])
    with tempfile.TemporaryDirectory(prefix="mlrt-check-") as d:
        p = _cli.run_process([binary, "run", "--quiet", "--no-copy", "--frames", "0:1",
                              *spec["args"], spec["model"], spec["input"], Path(d) / "check.mkv"])
    if p.returncode == 0:
        return None
    return {"exit": p.returncode, "message": _cli.last_error(p.stderr)}


def _check_run_values(client, model, input, binary, run_args, shown_args) -> None:
    """Every option's value, checked by `mlrt run` itself on one worker (which has the device the
    chunks need) on the input's first frame: ValueError with mlrt's message when refused."""
    spec = {"model": str(model), "input": str(input), "args": run_args, "binary": binary}
    try:
        refused = client.submit(_check_run, spec, key=f"mlrt-check-{uuid.uuid4().hex[:8]}",
                                pure=False).result()
    except Exception as e:  # noqa: BLE001 - e.g. the worker cannot import mlrt
        raise RuntimeError(f"mlrt.distributed: checking the job on a worker failed: "
                           f"{type(e).__name__}: {e}") from e
    if refused:
        command = " ".join(["mlrt run", *shown_args])
        raise ValueError(f"mlrt.distributed: `{command}` fails (tried on the input's first frame "
                         f"before the first chunk; exit {refused['exit']}): {refused['message']}")


def _run_chunk(spec: dict) -> dict:
    """One chunk, on a worker: `mlrt run --frames A:B` into a temporary name, checked and
    renamed, so a segment under its final name is always complete."""
    binary = _cli.find_binary(spec["binary"])
    segment = Path(spec["segment"])
    tmp = segment.with_name(f".{segment.stem}.partial-{uuid.uuid4().hex[:8]}.mkv")
    start, end = spec["start"], spec["end"]
    what = f"chunk {spec['index']} (frames {start}:{end})"
    began = time.monotonic()
    try:
        _cli.run_command(binary, "run", "--quiet", "--no-copy", "--frames", f"{start}:{end}",
                         *spec["args"], spec["model"], spec["input"], tmp, what=what)
        info = _cli.probe(tmp, binary)
        expected = (end - start) * _outputs_per_frame(spec["args"])
        if info["frames"] != expected:
            raise _cli.CommandError(f"{what}: the segment holds {info['frames']} frame(s), not "
                                    f"{expected}")
        digest, size = _manifest.sha256(tmp), tmp.stat().st_size
        os.replace(tmp, segment)
    finally:
        tmp.unlink(missing_ok=True)
    worker = None
    try:
        from distributed import get_worker
        worker = get_worker().address
    except (ImportError, ValueError):
        pass
    return {"frames": info["frames"], "sha256": digest, "bytes": size,
            "seconds": round(time.monotonic() - began, 3), "host": socket.gethostname(),
            "worker": worker}


def _local_cluster(workers: int | None):
    from distributed import LocalCluster
    cores = os.cpu_count() or 1
    # Inference wants a few cores per process; on small machines, one process per core.
    n = workers or (cores if cores <= 2 else max(1, cores // 2))
    # Threads, not processes: each chunk is an `mlrt` process of its own anyway, and worker
    # processes would re-import the caller's script, which hangs a script that calls run()
    # outside `if __name__ == "__main__":`.
    return LocalCluster(n_workers=n, threads_per_worker=1, processes=False,
                        dashboard_address=None, silence_logs=logging.ERROR)


def _print_progress(done: int, total: int, info: dict) -> None:
    eta = ""
    if info.get("eta") is not None:
        eta = f", about {info['eta']:.0f} s left"
    print(f"mlrt.distributed: {done}/{total} chunks ({100 * done // max(1, total)}%), frames "
          f"{info['start']}:{info['end']} in {info['seconds']:.1f} s{eta}", file=sys.stderr,
          flush=True)


def run(model, input, output, *, chunks: int | None = None, client=None, work_dir=None,
        binary: str | None = None, retries: int = 2, overwrite: bool = False,
        progress: bool | Callable[[int, int, dict], None] = True, workers: int | None = None,
        extra_args: list[str] | None = None, **options) -> Result:
    """Runs MODEL over INPUT on a Dask cluster and writes OUTPUT (FFV1 in Matroska) with the same
    frames one `mlrt run` would write.

    chunks: how many pieces (default: 4 per worker thread, none under 24 frames); cuts are
    moved to keyframes. client: a `distributed.Client` (or a scheduler address); default: a
    local cluster of `workers` worker threads sized to this machine (each chunk is an `mlrt`
    process). work_dir: where segments and the manifest go (default mlrt-work-JOB next to
    OUTPUT, JOB a digest of the input, model and options, removed after success); rerunning
    the same job resumes it, under any output name (or with the same work_dir). options: `mlrt run` options as keywords (tilesize=(512, 512),
    overlap=16, streams=2, fp16=True, backend="cuda"); extra_args: the same as raw flags.
    progress: a line on standard error per chunk, or a callable (done, total, info).
    Raises ValueError for bad arguments (a value `mlrt run` refuses with its message: the job
    is tried on the first frame on a worker before the first chunk) and an existing OUTPUT
    (unless overwrite), RuntimeError when chunks failed (the finished ones are kept for the next
    run). On KeyboardInterrupt the `mlrt` processes of an in-process cluster are interrupted and
    the chunks not started are cancelled before it propagates."""
    began = time.monotonic()
    run_args = _option_args(options) + list(extra_args or [])
    _check_raw_args(run_args)
    model, input, output = (Path(p).resolve() for p in (model, input, output))
    for p, what in ((model, "model"), (input, "input")):
        if not p.is_file() and "%" not in p.name:
            raise ValueError(f"mlrt.distributed: {what} '{p}' does not exist")
    if not output.parent.is_dir():
        raise ValueError(f"mlrt.distributed: output directory '{output.parent}' does not exist")
    if output.exists() and not overwrite:
        raise ValueError(f"mlrt.distributed: output '{output}' exists; pass overwrite=True (-y) "
                         "to replace it")
    # What would otherwise fail only after every chunk was computed, or in every chunk.
    if output.suffix.lower() != ".mkv":
        raise ValueError(f"mlrt.distributed: the output is FFV1 in Matroska: name it .mkv, not "
                         f"'{output.name}' (convert it afterwards for another container)")
    local_binary = _cli.find_binary(binary)
    _check_run_flags(local_binary, run_args)
    info = _cli.probe(input, local_binary)
    if info["frames"] <= 0:
        raise ValueError(f"mlrt.distributed: input '{input}' has no video frames")
    # Chunks are cut in output frames: at field rate, frame k's fields are 2k and 2k + 1.
    per = _frames_per_input_frame(run_args)
    info = {**info, "frames": per * info["frames"], "keyframes": [per * k for k in info["keyframes"]]}

    own_work_dir = work_dir is None
    model_sha256 = _manifest.sha256(model)
    # Named after the job, not the output: a rerun under another output name resumes it.
    job_key = hashlib.sha256(json.dumps([info["source"], info["frames"], model_sha256, run_args],
                                        sort_keys=True).encode()).hexdigest()[:12]
    work = Path(work_dir or output.parent / f"mlrt-work-{job_key}").resolve()
    given_args = list(run_args)

    _cli.allow_processes()  # after an interrupted run in this process
    cluster = None
    if client is None or isinstance(client, str):
        from distributed import Client
        if client is None:
            cluster = _local_cluster(workers)
        client = Client(client or cluster)
        owns_client = True
    else:
        owns_client = False
    try:
        threads = sum(client.nthreads().values()) or 1
        if cluster is not None and "--threads" not in run_args:
            # Each local worker's share of the cores, not all of them each.
            run_args += ["--threads", str(max(1, (os.cpu_count() or 1) // len(cluster.workers)))]
        # A bad value (--streams 0, --tilesize abc) would fail every chunk: mlrt checks them once.
        _check_run_values(client, model, input, binary, run_args, given_args)
        work.mkdir(parents=True, exist_ok=True)
        for stale in work.glob(".chunk-*.partial-*"):  # left by workers that died mid-chunk
            stale.unlink(missing_ok=True)
        n = chunks or max(1, min(4 * threads, info["frames"] // 24))
        plan = _chunks.plan_chunks(info["frames"], info["keyframes"], n)
        if len(plan) < n and progress:
            print(f"mlrt.distributed: {len(plan)} chunk(s), not {n}: chunks start at keyframes, "
                  f"and the input has {len(info['keyframes'])} for {info['frames']} frame(s)",
                  file=sys.stderr, flush=True)
        job = {"format": _manifest.FORMAT, "input": str(input), "source": info["source"],
               "frames": info["frames"], "model": str(model),
               "model_sha256": model_sha256, "run_args": run_args}
        done = _manifest.finished_chunks(work, _manifest.read(work), job)
        entries = []
        for i, (start, end) in enumerate(plan):
            old = done.get((start, end))
            if old:
                entries.append({**old, "index": i})
            else:
                entries.append({"index": i, "start": start, "end": end, "state": "pending",
                                "segment": _manifest.segment_name(i, start, end)})
        manifest = {**job, "chunks": entries}
        _manifest.write(work, manifest)
        computed = _run_chunks(client, manifest, work, model, input, binary, run_args, retries,
                               progress)
    except BaseException as e:
        if not isinstance(e, Exception):  # Ctrl-C: stop this process's chunks (a local cluster)
            _cli.stop_processes()
        raise
    finally:
        if owns_client:
            client.close()
        if cluster is not None:
            cluster.close()

    segments = [str(work / c["segment"]) for c in manifest["chunks"]]
    _cli.run_command(local_binary, "concat", "--quiet", *(["-y"] if overwrite else []),
                     "--audio-from", input, output, *segments, what=f"joining into '{output}'")
    if own_work_dir:
        shutil.rmtree(work, ignore_errors=True)
    elif progress:
        print(f"mlrt.distributed: kept the work folder '{work}' (given as work_dir; the default "
              "one is removed after success)", file=sys.stderr, flush=True)
    return Result(str(output), info["frames"] * _outputs_per_frame(run_args), len(plan), computed,
                  round(time.monotonic() - began, 3))


def _run_chunks(client, manifest, work, model, input, binary, run_args, retries, progress):
    from distributed import as_completed
    token = uuid.uuid4().hex[:8]
    pending = {}
    for c in manifest["chunks"]:
        if c["state"] == "done":
            continue
        spec = {"index": c["index"], "start": c["start"], "end": c["end"], "model": str(model),
                "input": str(input), "segment": str(work / c["segment"]), "args": run_args,
                "binary": binary}
        # A worker that dies takes its task with it; the scheduler runs it again elsewhere
        # (distributed.scheduler.allowed-failures times). `retries` covers chunks that fail.
        f = client.submit(_run_chunk, spec, key=f"mlrt-chunk-{token}-{c['index']}",
                          retries=retries, pure=False)
        pending[f] = c
    total = len(manifest["chunks"])
    done = total - len(pending)
    report = _print_progress if progress is True else (progress or None)
    failures = []
    began = time.monotonic()
    try:
        for future in as_completed(list(pending)):
            c = pending[future]
            try:
                c.update(future.result(), state="done")
            except Exception as e:  # noqa: BLE001 - every chunk failure is reported the same way
                # A chunk's own error names it already (its "what").
                failures.append(str(e) if isinstance(e, _cli.CommandError) else
                                f"chunk {c['index']} (frames {c['start']}:{c['end']}): {e}")
                continue
            c["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            _manifest.write(work, manifest)
            done += 1
            if report:
                ran = done - (total - len(pending))
                eta = ((time.monotonic() - began) / ran * (total - done)
                       if ran and done < total else None)
                report(done, total, {**c, "eta": eta})
    except BaseException as e:
        if not isinstance(e, Exception):
            # Interrupted: first no new chunk here (a chunk the interrupt failed would be run
            # again), then none anywhere.
            _cli.stop_processes()
            try:
                client.cancel(list(pending))
            except Exception:  # noqa: BLE001 - closing the client releases them too
                pass
        raise
    if failures:
        raise RuntimeError(f"mlrt.distributed: {len(failures)} of {total} chunk(s) failed; the "
                           f"{done} finished are kept in '{work}' for the next run. First: "
                           f"{failures[0]}")
    return len(pending)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m mlrt.distributed",
        description="Run an ONNX model over a video on a Dask cluster; the output (FFV1 in "
                    "Matroska) has the frames of one `mlrt run`. Options not listed here are "
                    "passed to `mlrt run` (e.g. --tilesize 512 --overlap 16 --streams 2).")
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    parser.add_argument("--chunks", type=int, help="Number of chunks (default: 4 per worker)")
    parser.add_argument("--workers", type=int, help="Processes of the local cluster")
    parser.add_argument("--work-dir", help="Segments and manifest (default: mlrt-work-JOB beside "
                                           "OUTPUT, JOB a digest of input, model and options); "
                                           "the same one resumes an interrupted run")
    parser.add_argument("--binary", help="The mlrt command line (default: MLRT_BIN, PATH)")
    parser.add_argument("--retries", type=int, default=2, help="Retries of a failing chunk")
    parser.add_argument("-y", "--overwrite", action="store_true", help="Replace OUTPUT")
    parser.add_argument("-q", "--quiet", action="store_true", help="No progress lines")
    args, run_args = parser.parse_known_args(argv)
    if args.chunks is not None and args.chunks < 1:
        parser.error("--chunks must be at least 1")
    resume = "mlrt.distributed: interrupted; rerun the same command to resume"
    interrupts, said = 0, False

    def on_interrupt(signum, frame):
        # The first Ctrl-C stops the run (its chunks, then the cluster); another one while that
        # cleanup runs leaves at once, with the same line (once).
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            raise KeyboardInterrupt
        if not said:
            print(resume, file=sys.stderr, flush=True)
        os._exit(130)

    import threading
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        r = run(args.model, args.input, args.output, chunks=args.chunks, client=args.scheduler,
                work_dir=args.work_dir, binary=args.binary, retries=args.retries,
                overwrite=args.overwrite, progress=not args.quiet, workers=args.workers,
                extra_args=run_args)
    except KeyboardInterrupt:
        print(resume, file=sys.stderr, flush=True)
        said = True
        return 130
    except (ValueError, RuntimeError, OSError, subprocess.SubprocessError) as e:
        message = str(e).removeprefix("mlrt.distributed: ")
        print(f"mlrt.distributed: error: {message}", file=sys.stderr)
        return 1
    finally:
        if previous is not None and interrupts == 0:
            signal.signal(signal.SIGINT, previous)
    if not args.quiet:
        print(f"mlrt.distributed: wrote {r.frames} frame(s) to '{r.output}' from {r.chunks} "
              f"chunk(s) ({r.computed} computed now) in {r.seconds:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    # Through the package's module, so that the tasks pickle as mlrt.distributed._run_chunk.
    from mlrt.distributed import main as _main
    _code = _main()
    if _code == 130:
        # Interrupted: exit with 130 now. (An interrupt that landed in code Python ran from a
        # string, such as a dataclass being made during an import, would otherwise make the
        # interpreter end itself by SIGINT at exit, after the run was already cleaned up.)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(_code)
