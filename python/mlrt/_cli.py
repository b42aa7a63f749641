"""The `mlrt` command line as the distributed driver uses it: where the binary is, and its
`probe` answers as dicts. Kept apart from the driver so that a Dask worker needs only this to
run a chunk."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["find_binary", "probe", "CommandError"]


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


def run_command(binary: str, *args, what: str) -> subprocess.CompletedProcess:
    p = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    if p.returncode != 0:
        raise CommandError(f"{what} failed (mlrt exited {p.returncode}): {last_error(p.stderr)}")
    return p


def probe(path: str | os.PathLike, binary: str | None = None) -> dict:
    """`mlrt probe --json PATH`: codec, size, frame_rate, frames, keyframes, source, tags."""
    p = run_command(find_binary(binary), "probe", "--json", path, what=f"probing '{path}'")
    return json.loads(p.stdout)
