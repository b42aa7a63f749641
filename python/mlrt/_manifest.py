"""The distributed driver's record of one job in its work directory: which frame ranges make
the output, and for each finished one its segment, frame count and checksum, so that a rerun
skips what is complete. Only the driver writes it, atomically (a temporary file renamed over
it), so a crash leaves the previous version whole."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

FORMAT = 1
NAME = "manifest.json"


def sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def segment_name(index: int, start: int, end: int) -> str:
    # The range is in the name, so a segment of another plan is never taken for this one.
    return f"chunk-{index:05d}-{start}-{end}.mkv"


def write(work_dir: Path, manifest: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=work_dir, prefix=".manifest.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(manifest, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, work_dir / NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read(work_dir: Path) -> dict | None:
    try:
        with open(work_dir / NAME) as f:
            m = json.load(f)
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return m if isinstance(m, dict) and m.get("format") == FORMAT else None


def finished_chunks(work_dir: Path, old: dict | None, job: dict) -> dict[tuple[int, int], dict]:
    """The chunks of an earlier manifest of the same job (input, model, options) whose segment
    is still there, unchanged: {(start, end): entry}."""
    if not old or any(old.get(k) != v for k, v in job.items()):
        return {}
    done = {}
    for c in old.get("chunks", []):
        if c.get("state") != "done":
            continue
        seg = work_dir / c["segment"]
        try:
            if seg.stat().st_size == c["bytes"] and sha256(seg) == c["sha256"]:
                done[(c["start"], c["end"])] = c
        except (OSError, KeyError):
            pass
    return done
