"""The `mlrt` command line as the distributed driver uses it: where the binary is, and its
`probe` answers as dicts. Kept apart from the driver so that a Dask worker needs only this to
run a chunk."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

__all__ = ["find_binary", "probe", "CommandError"]

# The `mlrt` processes this Python process runs (the driver's own, and those of the worker
# threads of an in-process local cluster), so that an interrupted driver can stop them.
_lock = threading.Lock()
_running: set[subprocess.Popen] = set()
_stopped = False


class CommandError(RuntimeError):
    """An `mlrt` command failed; the message ends with its last error line."""


def find_binary(explicit: str | os.PathLike | None = None) -> str:
    """The `mlrt` executable: `explicit` if given, else $MLRT_BIN, else the one built or
    installed with this package (build/src/cli/mlrt next to build/python; PREFIX/bin/mlrt for
    PREFIX/lib/.../mlrt), else `mlrt` on PATH."""
    if explicit:
        return str(explicit)
    if os.environ.get("MLRT_BIN"):
        return os.environ["MLRT_BIN"]
    package = Path(__file__).resolve().parent
    candidates = [package.parent.parent / "src" / "cli" / "mlrt"]  # the build tree
    candidates += [p / "bin" / "mlrt" for p in package.parents[1:5]]  # an install prefix
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    found = shutil.which("mlrt")
    if found:
        return found
    raise FileNotFoundError("mlrt: the `mlrt` command line was not found (not built next to this "
                            "package, not on PATH); set MLRT_BIN to its path")


def last_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line]
    return (errors or lines or ["(no message)"])[-1].strip()


def run_process(args: list) -> subprocess.CompletedProcess:
    """subprocess.run(args) with its output captured, and the process known to stop_processes
    while it runs; refused (CommandError) once stop_processes was called."""
    args = [str(a) for a in args]
    with _lock:
        if _stopped:
            raise CommandError(f"{args[0]}: not started: the run was interrupted")
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _running.add(p)
    try:
        out, err = p.communicate()
    except BaseException:
        p.kill()
        p.wait()
        raise
    finally:
        with _lock:
            _running.discard(p)
    return subprocess.CompletedProcess(args, p.returncode, out, err)


def allow_processes() -> None:
    """Undoes stop_processes: a new run may start processes again."""
    global _stopped
    with _lock:
        _stopped = False


def stop_processes(grace: float = 5.0) -> None:
    """Interrupts (SIGINT: `mlrt` stops and cleans up) every process run_process started in this
    Python process and has not seen end, kills those still there after `grace` seconds, and
    refuses new ones until allow_processes."""
    global _stopped
    with _lock:
        _stopped = True
        procs = list(_running)
    for p in procs:
        try:
            p.send_signal(signal.SIGINT)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(p in _running for p in procs):
        time.sleep(0.05)
    with _lock:
        left = [p for p in procs if p in _running]
    for p in left:
        try:
            p.kill()
        except OSError:
            pass


def run_command(binary: str, *args, what: str) -> subprocess.CompletedProcess:
    p = run_process([binary, *args])
    if p.returncode != 0:
        raise CommandError(f"{what} failed (mlrt exited {p.returncode}): {last_error(p.stderr)}")
    return p


def probe(path: str | os.PathLike, binary: str | None = None) -> dict:
    """`mlrt probe --json PATH`: codec, size, frame_rate, frames, keyframes, source, tags."""
    p = run_command(find_binary(binary), "probe", "--json", path, what=f"probing '{path}'")
    return json.loads(p.stdout)
