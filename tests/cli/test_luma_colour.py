"""A 1-channel (luma) model on colour input writes colour: the model runs on the luma (the
source's Y, or the luma of RGB with its matrix) and its output becomes the output's Y around the
source's chroma, resized with zimg to the output size. `--gray` writes the luma alone."""
import subprocess

import numpy as np
import pytest

from helpers import ffmpeg, frame_count, lavfi_image, lavfi_video, mlrt, probe, psnr, raw_frames, video_stream
from test_workloads import engine_run, model, tools  # noqa: F401 (model, tools: fixtures)


def yuv420(path, w, h):
    """(Y, U, V) of every frame, as uint8 arrays (F, H, W), (F, H/2, W/2) twice."""
    cw, ch = (w + 1) // 2, (h + 1) // 2
    raw = raw_frames(path, "yuv420p").reshape(-1, w * h + 2 * cw * ch)
    y = raw[:, :w * h].reshape(-1, h, w)
    u = raw[:, w * h:w * h + cw * ch].reshape(-1, ch, cw)
    v = raw[:, w * h + cw * ch:].reshape(-1, ch, cw)
    return y, u, v


def limited(y8):
    """Limited-range 8-bit luma as the engine sees it: [0, 1]."""
    return (y8.astype(np.float32) - 16.0) / 219.0


def to_limited(y):
    return np.clip(np.rint(y * 219.0 + 16.0), 0, 255)


def test_luma_model_at_scale_1_keeps_every_sample(models, tmp_path):
    # An identity luma model gives the input back, chroma included, sample for sample.
    for pix_fmt in ("yuv420p", "yuv422p10le", "yuv444p"):
        src = lavfi_video(tmp_path / f"{pix_fmt}.mkv", size="64x48", rate=10, duration=0.3, pix_fmt=pix_fmt)
        out = tmp_path / f"out_{pix_fmt}.mkv"
        mlrt("run", "-q", models["gray-identity"], src, out)
        assert video_stream(probe(out))["pix_fmt"] == pix_fmt
        assert np.array_equal(raw_frames(out, pix_fmt), raw_frames(src, pix_fmt)), pix_fmt


@pytest.mark.parametrize("size", ["64x48", "61x35"])
def test_luma_doubler_on_yuv_writes_colour(model, tmp_path, size):
    doubler = model("luma_x2", "conv", 1, 1, 2, 2, 5, 8)  # DepthToSpace x2
    w, h = map(int, size.split("x"))
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3, vf=f"scale={w}:{h}")
    out = tmp_path / "x2.mkv"
    p = mlrt("run", doubler, src, out, "--dither", "none")
    assert f"wrote 3 frame(s) of {2 * w}x{2 * h}" in p.stderr
    s = video_stream(probe(out))
    assert (s["pix_fmt"], s["width"], s["height"]) == ("yuv420p", 2 * w, 2 * h)
    (sy, su, sv), (oy, ou, ov) = yuv420(src, w, h), yuv420(out, 2 * w, 2 * h)
    for i in range(3):
        # Y: the model on the source's Y, as plain ONNX Runtime computes it.
        want = to_limited(engine_run(doubler, limited(sy[i])[None], tmp_path).reshape(2 * h, 2 * w))
        assert np.abs(oy[i].astype(np.float64) - want).max() <= 1
    # U and V: the source's chroma at twice the size (zimg's Spline36 against FFmpeg's).
    ref = tmp_path / "ref.mkv"
    ffmpeg("-i", src, "-vf", f"scale={2 * w}:{2 * h}:flags=spline", "-c:v", "ffv1", ref)
    _, ru, rv = yuv420(ref, 2 * w, 2 * h)
    # Not the same resampler (zimg goes through 4:4:4 honouring the siting; swscale scales the
    # 4:2:0 planes directly, and aligns odd-sized ones differently), so close, not equal:
    # measured 35.9/33.9 dB at 64x48 and 31.3/29.1 dB at 61x35.
    floor = 32 if w % 2 == 0 else 27
    assert psnr(ou, ru) > floor and psnr(ov, rv) > floor, (psnr(ou, ru), psnr(ov, rv))
    assert np.std(ou.astype(np.float64)) > 10  # colour, not the flat chroma of gray


def luma_residual_x2(model):
    """y = upscale(x) + 2 * (a 2-layer conv stack with ReLU): a non-linear luma doubler whose
    output stays near its input (in range), so that running it on each RGB channel, on the luma
    of another matrix or on limited-range codes gives visibly different luma."""
    return model("luma_x2_residual", "conv", 1, 1, 2, 2, 5, 8, 2, 0, 1)


def test_luma_model_on_rgb_runs_on_its_luma_and_writes_rgb(model, tmp_path):
    net = luma_residual_x2(model)
    # Half saturation: resized chroma around new luma then rarely leaves the RGB gamut.
    src = lavfi_image(tmp_path / "in.png", size="64x48", pix_fmt="rgb24", vf="hue=s=0.5")
    out = tmp_path / "x2.png"
    mlrt("run", "-q", net, src, out, "--dither", "none")
    s = video_stream(probe(out))
    assert (s["pix_fmt"], s["width"], s["height"]) == ("rgb24", 128, 96)
    rgb = raw_frames(src, "rgb24").reshape(48, 64, 3).astype(np.float64) / 255
    got = raw_frames(out, "rgb24").reshape(96, 128, 3).astype(np.float64) / 255
    # Luma of RGB with the matrix players assume at this size (BT.601), in [0, 1] (RGB is full
    # range, and a float luma plane is too).
    kr, kb = 0.299, 0.114
    luma = lambda x: kr * x[..., 0] + (1 - kr - kb) * x[..., 1] + kb * x[..., 2]  # noqa: E731
    want = engine_run(net, luma(rgb)[None].astype(np.float32), tmp_path).reshape(96, 128)
    # Where no channel was clipped to the RGB gamut the output's luma is the model's, up to the
    # rounding of R, G and B (at most half a code). Measured: 0.50 codes at most on 90% of the
    # pixels. Per-channel processing gives up to 20 codes, BT.709's luma 11, the model run on
    # limited-range codes 10.
    unclipped = np.all((got > 0) & (got < 1), axis=-1)
    assert unclipped.mean() > 0.8, unclipped.mean()
    diff = np.abs(luma(got) - want)[unclipped] * 255
    assert diff.max() <= 0.75, (diff.max(), np.percentile(diff, 99))
    # Colour, and the source's: each channel's mean difference from the luma stays where it
    # was (measured 0.0016 apart; gray output would be 0.027 off).
    assert np.abs(got[..., 0] - got[..., 1]).mean() > 0.05
    colour = lambda x: (x - luma(x)[..., None]).mean(axis=(0, 1))  # noqa: E731
    assert np.abs(colour(got) - colour(rgb)).max() < 0.005, (colour(got), colour(rgb))


def test_gray_flag_writes_the_luma_alone(model, tmp_path):
    net = luma_residual_x2(model)
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3)
    out = tmp_path / "gray.mkv"
    mlrt("run", "-q", "--gray", net, src, out, "--dither", "none")
    s = video_stream(probe(out))
    assert (s["pix_fmt"], s["width"], s["height"]) == ("gray", 128, 96)
    assert frame_count(out) == 3
    # The source is limited range (untagged YUV video) and the output is tagged the same: its
    # samples are the model's output on the source's Y, as limited-range codes.
    assert s.get("color_range") == "tv", s.get("color_range")
    sy, _, _ = yuv420(src, 64, 48)
    got = raw_frames(out, "gray").reshape(3, 96, 128).astype(np.float64)
    for i in range(3):
        want = to_limited(engine_run(net, limited(sy[i])[None], tmp_path).reshape(96, 128))
        assert np.abs(got[i] - want).max() <= 1, (i, np.abs(got[i] - want).max())


def test_luma_model_over_a_window_of_colour_needs_gray(model, tmp_path):
    net = model("window_luma", "conv", 3, 1, 2, 1, 3, 4)  # three frames' luma -> one
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3)
    out = tmp_path / "out.mkv"
    p = mlrt("run", net, src, out, "--window", "3", check=False)
    assert p.returncode == 1 and "takes 1 channel (GRAY)" in p.stderr and "--gray" in p.stderr, p.stderr
    assert not out.exists()
    mlrt("run", "-q", net, src, out, "--window", "3", "--gray")
    assert video_stream(probe(out))["pix_fmt"].startswith("gray")
