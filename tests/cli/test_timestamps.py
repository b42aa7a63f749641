"""Output timestamps follow the input's frame by frame: variable frame rate kept as it is,
B-frame reordering, a negative start time and a stream with no container frame rate."""
import subprocess

import pytest

from helpers import ffmpeg, frame_times, have_encoder, mlrt, stream_rate


SRC = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2"]


@pytest.mark.parametrize("ext", ["mkv", "mp4"])
def test_variable_frame_rate_is_kept(models, tmp_path, ext):
    # 25 fps, then 10 fps, then 50 fps: not a rate any constant-rate resampling would keep.
    src = tmp_path / "vfr.mkv"
    ffmpeg(*SRC, "-vf", "setpts='if(lt(N,10),N*0.04,if(lt(N,30),0.4+(N-10)*0.1,2.4+(N-30)*0.02))/TB'",
           "-fps_mode", "vfr", "-c:v", "ffv1", src)
    want = frame_times(src)
    assert len(set(round(b - a, 3) for a, b in zip(want, want[1:]))) >= 3  # really VFR
    out = tmp_path / f"out.{ext}"
    mlrt("run", "-q", models["identity"], src, out)
    assert frame_times(out) == want


def test_b_frame_reordering_keeps_presentation_order(models, tmp_path):
    src = tmp_path / "bf.mp4"
    if have_encoder("libx264"):
        ffmpeg(*SRC, "-c:v", "libx264", "-bf", "3", "-g", "12", src)
    else:
        ffmpeg(*SRC, "-c:v", "mpeg4", "-bf", "2", src)
    want = frame_times(src)
    assert want == sorted(want) and len(want) == 50
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", models["identity"], src, out)
    assert frame_times(out) == want


def test_negative_start_time(models, tmp_path):
    # Packets from -1 s; the mp4 edit list hides the first second, as players (and ffprobe) do.
    src = tmp_path / "neg.mp4"
    codec = ["-c:v", "libx264", "-bf", "2"] if have_encoder("libx264") else ["-c:v", "mpeg4"]
    ffmpeg(*SRC, *codec, "-output_ts_offset", "-1", "-avoid_negative_ts", "disabled", src)
    pkts = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time",
                           "-of", "csv=p=0", str(src)], capture_output=True, text=True, check=True).stdout.split()
    assert float(pkts[0].strip(",")) < 0  # the input really starts before zero
    want = frame_times(src)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", models["identity"], src, out)
    assert frame_times(out) == want


@pytest.mark.skipif(not have_encoder("libx264"), reason="needs libx264 for a raw H.264 stream")
def test_stream_without_container_frame_rate(models, tmp_path):
    # A raw H.264 elementary stream has no container timestamps or rate of its own.
    src = tmp_path / "raw.h264"
    ffmpeg(*SRC, "-c:v", "libx264", "-bf", "2", "-f", "h264", src)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", models["identity"], src, out)
    times = frame_times(out)
    assert len(times) == 50
    assert times == sorted(times) and len(set(times)) == 50
    assert stream_rate(out) == pytest.approx(25, rel=0.01)
