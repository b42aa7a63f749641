"""Interlaced input is detected (stream field order or frame flags) and warned about once;
--deinterlace runs FFmpeg's bwdif before the model, at frame or field rate."""
import numpy as np
import pytest

from helpers import (ffmpeg, frame_count, frame_times, framemd5, have_encoder, lavfi_image, lavfi_video, mlrt,
                     psnr, raw_frames, size_changing_clip, stream_rate)

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


# --deinterlace: FFmpeg's bwdif before the model, at frame or field rate.

def bwdif_reference(src, mode, out):
    """What ffmpeg's own bwdif makes of `src`: the frames the model must see."""
    ffmpeg("-i", src, "-vf", f"bwdif=mode={mode}:parity=auto:deint=all", "-fps_mode", "passthrough",
           "-c:v", "ffv1", out)
    return out


def luma(path, size=(96, 160)):
    return raw_frames(path, "gray").reshape(-1, *size).astype(np.float64)


def combing(frames):
    """Mean distance of each line from the mean of its neighbours: high where two fields from
    different moments are woven together."""
    return float(np.mean(np.abs(frames[:, 1:-1] - (frames[:, :-2] + frames[:, 2:]) / 2)))


def interlaced_ffv1(tmp_path, order="tt"):
    src = tmp_path / f"int_{order}.mkv"
    ffmpeg(*SRC, "-c:v", "ffv1", "-field_order", order, src)
    return src


@pytest.mark.parametrize("mode, per_frame", [("frame", 1), ("field", 2)])
def test_deinterlace_matches_ffmpegs_bwdif(models, tmp_path, mode, per_frame):
    src = interlaced_ffv1(tmp_path)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "-q", models["identity"], src, out, "--deinterlace", mode)
    assert "interlaced" not in p.stderr, p.stderr  # deinterlaced: nothing to warn about
    ref = luma(bwdif_reference(src, f"send_{mode}", tmp_path / "ref.mkv"))
    got, woven = luma(out), luma(src)
    assert got.shape[0] == per_frame * woven.shape[0] == ref.shape[0]
    # The identity model through RGB and back: bwdif's frames, up to conversion rounding.
    assert psnr(got, ref) > 40, psnr(got, ref)
    assert combing(got) < 0.6 * combing(woven), (combing(got), combing(woven))
    if mode == "frame":  # the same run without --deinterlace is far from bwdif's frames
        plain = tmp_path / "plain.mkv"
        mlrt("run", "-q", models["identity"], src, plain)
        assert psnr(luma(plain), ref) < psnr(got, ref) - 6


def test_deinterlace_timestamps_and_rate(models, tmp_path):
    src = interlaced_ffv1(tmp_path)
    times = frame_times(src)
    frame_out, field_out = tmp_path / "frame.mkv", tmp_path / "field.mkv"
    mlrt("run", "-q", models["identity"], src, frame_out, "--deinterlace")  # frame is the default
    mlrt("run", "-q", models["identity"], src, field_out, "--deinterlace", "field")
    assert frame_times(frame_out) == times
    assert stream_rate(frame_out) == pytest.approx(stream_rate(src))
    # Each field its own frame, half a frame interval after the one before.
    half = [t + d for t in times for d in (0, (times[1] - times[0]) / 2)]
    assert frame_times(field_out) == pytest.approx(half, abs=0.0015)
    assert stream_rate(field_out) == pytest.approx(2 * stream_rate(src))


def test_deinterlace_bottom_field_first(models, tmp_path):
    # Ut Video keeps no interlacing flags in its frames: only Matroska's field order tells.
    src = tmp_path / "bff.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x96:rate=25:duration=1", "-vf", "interlace=scan=bff",
           "-c:v", "utvideo", "-field_order", "bb", src)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", models["identity"], src, out, "--deinterlace", "field")
    # The container's order, given to frames that carry none: deinterlaced as bottom first.
    ref = tmp_path / "ref.mkv"
    ffmpeg("-i", src, "-vf", "setfield=bff,bwdif=mode=send_field:parity=auto:deint=all",
           "-fps_mode", "passthrough", "-c:v", "ffv1", ref)
    wrong = tmp_path / "tff.mkv"
    ffmpeg("-i", src, "-vf", "setfield=tff,bwdif=mode=send_field:parity=auto:deint=all",
           "-fps_mode", "passthrough", "-c:v", "ffv1", wrong)
    assert psnr(luma(out), luma(ref)) > 40
    assert psnr(luma(out), luma(ref)) > psnr(luma(out), luma(wrong)) + 3


@pytest.mark.parametrize("mode", ["frame", "field"])
def test_deinterlace_with_frames_range_joins_the_whole_run(models, tmp_path, mode):
    src = interlaced_ffv1(tmp_path)
    whole, part = tmp_path / "whole.mkv", tmp_path / "part.mkv"
    mlrt("run", "-q", models["identity"], src, whole, "--deinterlace", mode)
    mlrt("run", "-q", models["identity"], src, part, "--deinterlace", mode, "--frames", "4:8")
    # The seek lands a frame early, so frame 4 has the neighbours it has in the whole run.
    assert [md5 for _, md5 in framemd5(part)] == [md5 for _, md5 in framemd5(whole)][4:8]


@pytest.mark.skipif(not have_encoder("libx264"), reason="needs libx264 for interlaced H.264")
@pytest.mark.parametrize("mode, per_frame", [("frame", 1), ("field", 2)])
def test_deinterlace_interlaced_h264(models, tmp_path, mode, per_frame):
    src = tmp_path / "int.mp4"
    ffmpeg(*SRC, "-c:v", "libx264", "-flags", "+ilme+ildct", "-bf", "2", src)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "-q", models["identity"], src, out, "--deinterlace", mode)
    assert "interlaced" not in p.stderr, p.stderr
    ref = luma(bwdif_reference(src, f"send_{mode}", tmp_path / "ref.mkv"))
    assert luma(out).shape[0] == ref.shape[0] == per_frame * frame_count(src)
    assert psnr(luma(out), ref) > 40


def test_deinterlace_refuses_an_unknown_mode(models, tmp_path):
    src = interlaced_ffv1(tmp_path)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "-q", models["identity"], src, out, "--deinterlace=weave", check=False)
    assert p.returncode == 2 and "--deinterlace" in p.stderr and "frame" in p.stderr, p.stderr
    assert not out.exists()


def test_deinterlace_too_small_an_image(models, tmp_path):
    src = lavfi_image(tmp_path / "tiny.png", size="2x2")
    out = tmp_path / "out.png"
    p = mlrt("run", "-q", models["identity"], src, out, "--deinterlace", check=False)
    assert p.returncode == 1 and "tiny.png" in p.stderr and "too small to deinterlace" in p.stderr, p.stderr
    assert not out.exists()


def test_without_deinterlace_the_warning_names_the_flag(models, tmp_path):
    src = interlaced_ffv1(tmp_path)
    p = mlrt("run", "-q", models["identity"], src, tmp_path / "out.mkv")
    assert "--deinterlace" in p.stderr, p.stderr


def test_deinterlace_refuses_a_size_change_and_leaves_no_output(models, tmp_path):
    src = size_changing_clip(tmp_path)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "-q", models["identity"], src, out, "--deinterlace", check=False)
    assert p.returncode == 1, p.stderr
    assert "grows.ts' changes size at frame" in p.stderr and "64x48 yuv420p to 80x48" in p.stderr, p.stderr
    assert not out.exists()
