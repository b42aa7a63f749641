"""Interlaced input is detected (stream field order or frame flags) and warned about once."""
import pytest

from helpers import ffmpeg, have_encoder, lavfi_video, mlrt

SRC = ["-f", "lavfi", "-i", "testsrc2=size=160x96:rate=25:duration=1", "-vf", "interlace"]


def test_field_order_in_the_stream_warns_once(models, tmp_path):
    src = tmp_path / "int.mkv"
    ffmpeg(*SRC, "-c:v", "ffv1", "-field_order", "tt", src)
    p = mlrt("run", "-q", models["identity"], src, tmp_path / "out.mkv")
    assert p.stderr.count("is interlaced (top field first)") == 1, p.stderr
    assert "combed" in p.stderr


@pytest.mark.skipif(not have_encoder("libx264"), reason="needs libx264 for interlaced H.264")
def test_interlaced_h264_warns(models, tmp_path):
    src = tmp_path / "int.mp4"
    ffmpeg(*SRC, "-c:v", "libx264", "-flags", "+ilme+ildct", src)
    p = mlrt("run", "-q", models["identity"], src, tmp_path / "out.mkv")
    assert p.stderr.count("is interlaced") == 1, p.stderr


def test_progressive_input_gives_no_warning(models, tmp_path):
    src = lavfi_video(tmp_path / "prog.mkv")
    p = mlrt("run", "-q", models["identity"], src, tmp_path / "out.mkv")
    assert "interlaced" not in p.stderr
