"""Shared helpers for the `mlrt` command-line tests: running the binary, making media with
ffmpeg, and probing what came out."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
# MLRT_BIN names the binary; otherwise it is looked for in MLRT_BUILD_DIR (scripts/test.sh sets
# it), else in build/.
MLRT = Path(os.environ.get("MLRT_BIN") or
            Path(os.environ.get("MLRT_BUILD_DIR", REPO / "build")) / "src" / "cli" / "mlrt")


def mlrt(*args, check=True, timeout=300, **kw):
    """Runs mlrt; returns the CompletedProcess (stdout/stderr as text unless binary=True)."""
    binary = kw.pop("binary", False)
    p = subprocess.run([str(MLRT), *map(str, args)], capture_output=True, text=not binary, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"mlrt {' '.join(map(str, args))} failed ({p.returncode}):\n{p.stderr}")
    return p


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True, capture_output=True)


def framemd5(path):
    """[(pts, md5)] of the decoded video frames, with the file's own timestamps."""
    p = subprocess.run(["ffmpeg", "-v", "error", "-copyts", "-i", str(path), "-map", "0:v",
                        "-fps_mode", "passthrough", "-f", "framemd5", "-"],
                       capture_output=True, text=True, check=True)
    rows = [line.split(",") for line in p.stdout.splitlines() if line and not line.startswith("#")]
    return [(int(r[2]), r[5].strip()) for r in rows]


def frame_times(path):
    """best_effort_timestamp_time of every decoded video frame, in seconds (ms precision)."""
    p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                        "frame=best_effort_timestamp_time", "-of", "json", str(path)],
                       capture_output=True, text=True, check=True)
    return [round(float(f["best_effort_timestamp_time"]), 3) for f in json.loads(p.stdout)["frames"]]


def stream_rate(path):
    """The video stream's r_frame_rate as a number (0 when unknown)."""
    p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                        "stream=avg_frame_rate,r_frame_rate", "-of", "json", str(path)],
                       capture_output=True, text=True, check=True)
    s = json.loads(p.stdout)["streams"][0]
    num, den = map(int, s["r_frame_rate"].split("/"))
    return num / den if den else 0


def audio_bytes(path):
    """The audio of `path` decoded to 16-bit PCM."""
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:a", "-f", "s16le",
                           "-"], capture_output=True, check=True).stdout


def lavfi_video(path, size="160x90", rate=24, duration=1, pix_fmt="yuv420p", codec="ffv1", extra=(), vf=None,
                audio=False, subtitles=None):
    """A testsrc2 clip (optionally with a sine audio track and an SRT subtitle track)."""
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={duration}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={duration}"]
    if subtitles:
        args += ["-i", subtitles]
    if vf:
        args += ["-vf", vf]
    args += ["-map", "0:v"]
    if audio:
        args += ["-map", "1:a", "-c:a", "aac"]
    if subtitles:
        args += ["-map", f"{2 if audio else 1}:s", "-c:s", "srt"]
    args += ["-c:v", codec, "-pix_fmt", pix_fmt, *extra, path]
    ffmpeg(*args)
    return Path(path)


def size_changing_clip(tmp_path):
    """An MPEG-TS whose frame size grows from 64x48 to 80x48 after 10 frames."""
    a, b = tmp_path / "a.ts", tmp_path / "b.ts"
    lavfi_video(a, size="64x48", rate=10, duration=1, codec="mpeg2video")
    lavfi_video(b, size="80x48", rate=10, duration=1, codec="mpeg2video")
    joined = tmp_path / "grows.ts"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    a.unlink()
    b.unlink()
    return joined


def lavfi_image(path, size="64x48", pix_fmt="rgb24", vf=None):
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}", "-frames:v", "1"]
    if vf:
        args += ["-vf", vf]
    ffmpeg(*args, "-pix_fmt", pix_fmt, path)
    return Path(path)


def probe(path, count=False):
    """ffprobe's streams and format as dicts (with nb_read_frames when count)."""
    args = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format"]
    if count:
        args.append("-count_frames")
    p = subprocess.run([*args, str(path)], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def video_stream(info):
    return next(s for s in info["streams"] if s["codec_type"] == "video")


def frame_count(path):
    return int(video_stream(probe(path, count=True))["nb_read_frames"])


def raw_frames(path, pix_fmt, extra=()):
    """All video frames decoded to `pix_fmt` as one flat byte array."""
    # passthrough: exactly the decoded frames, no duplicates to fill the container's duration
    p = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), *extra, "-map", "0:v", "-fps_mode", "passthrough",
                        "-pix_fmt", pix_fmt, "-f", "rawvideo", "-"], capture_output=True, check=True)
    return np.frombuffer(p.stdout, dtype=np.uint8)


def psnr(a, b, peak=255.0):
    """PSNR over all samples: the sample-weighted average ffmpeg's psnr filter reports."""
    assert a.shape == b.shape and a.size > 0
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(peak * peak / mse)


def have_encoder(name):
    p = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True)
    return any(line.split()[1:2] == [name] for line in p.stdout.splitlines() if len(line.split()) > 1)


def ffmpeg_available():
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None
