"""`--planes yuv`: a 3-channel model gets Y, U, V at 4:4:4 as float in VapourSynth's convention
(Y in [0, 1], U and V in [-0.5, 0.5], limited range expanded). Three output planes are Y, U, V;
two are U, V beside the source's Y (ArtCNN's chroma models). Output is the source's family at
4:4:4, or the source's subsampling with --pix-fmt. Each output is compared with the engine run
directly on the planes computed here from the source's samples."""
import numpy as np
import pytest

from helpers import ffmpeg, lavfi_image, lavfi_video, mlrt, probe, psnr, raw_frames, video_stream
from test_workloads import engine_run, model, tools  # noqa: F401 (model, tools: fixtures)

# (depth, Y black, Y span, chroma zero, chroma span) of limited-range YUV.
LIMITED = {8: (16, 219, 128, 224), 10: (64, 876, 512, 896)}


def yuv444(path, w, h, depth=8):
    """Every frame's samples as (F, 3, H, W) integers."""
    fmt = "yuv444p" if depth == 8 else f"yuv444p{depth}le"
    raw = raw_frames(path, fmt)
    if depth > 8:
        raw = raw.view("<u2")
    return raw.reshape(-1, 3, h, w).astype(np.float64)


def to_float(samples, depth=8):
    """Limited-range samples in VapourSynth's float convention."""
    black, span, zero, cspan = LIMITED[depth]
    out = np.empty(samples.shape, np.float32)
    out[..., 0, :, :] = (samples[..., 0, :, :] - black) / span
    out[..., 1:, :, :] = (samples[..., 1:, :, :] - zero) / cspan
    return out


def to_samples(planes, depth=8, first=0):
    """The other way, rounded (no dither); `first` is the YUV plane the first of `planes` is."""
    black, span, zero, cspan = LIMITED[depth]
    out = np.empty(planes.shape)
    for i in range(planes.shape[0]):
        out[i] = planes[i] * span + black if first + i == 0 else planes[i] * cspan + zero
    return np.clip(np.rint(out), 0, (1 << depth) - 1)


def clip(tmp_path, pix_fmt="yuv444p", size="64x48", frames=3, name="in.mkv"):
    w, h = map(int, size.split("x"))
    return lavfi_video(tmp_path / name, size=size, rate=10, duration=frames / 10, pix_fmt=pix_fmt), w, h


@pytest.mark.parametrize("depth", [8, 10])
def test_yuv_model_sees_the_vapoursynth_convention(model, tmp_path, depth):
    net = model("yuv_conv", "conv", 3, 3, 2, 1, 7, 8)
    pix_fmt = "yuv444p" if depth == 8 else "yuv444p10le"
    src, w, h = clip(tmp_path, pix_fmt)
    out = tmp_path / "out.mkv"
    p = mlrt("run", net, src, out, "--planes", "yuv", "--dither", "none", "-v")
    assert "YUV in" in p.stderr
    assert video_stream(probe(out))["pix_fmt"] == pix_fmt
    planes, got = to_float(yuv444(src, w, h, depth), depth), yuv444(out, w, h, depth)
    for i in range(3):
        want = to_samples(engine_run(net, planes[i], tmp_path), depth)
        assert np.abs(got[i] - want).max() <= 1, i


def test_subsampled_source_is_written_at_444_or_at_its_own_with_pix_fmt(model, tmp_path):
    identity = model("yuv_identity", "identity", 3)
    src, w, h = clip(tmp_path, "yuv420p")
    full, same = tmp_path / "full.mkv", tmp_path / "same.mkv"
    mlrt("run", "-q", identity, src, full, "--planes", "yuv", "--dither", "none")
    mlrt("run", "-q", identity, src, same, "--planes", "yuv", "--dither", "none", "--pix-fmt", "yuv420p")
    assert video_stream(probe(full))["pix_fmt"] == "yuv444p"
    assert video_stream(probe(same))["pix_fmt"] == "yuv420p"
    # The 4:4:4 output holds the source's chroma brought to 4:4:4 (what the model saw): the same
    # as FFmpeg's Spline36 upsampling, up to siting and the resampler's taps (testsrc2's sharp
    # chroma edges are where they differ: measured 29.0 dB).
    ref = tmp_path / "ref.mkv"
    ffmpeg("-i", src, "-vf", "scale=flags=spline+accurate_rnd+full_chroma_int", "-pix_fmt", "yuv444p",
           "-c:v", "ffv1", ref)
    a, b = yuv444(full, w, h), yuv444(ref, w, h)
    assert np.array_equal(a[:, 0], b[:, 0])  # luma untouched
    assert psnr(a[:, 1:], b[:, 1:]) > 26, psnr(a[:, 1:], b[:, 1:])
    # Back at 4:2:0 the identity gives the source back, up to the chroma's trip through 4:4:4
    # (Spline36 up and down; measured 33.0 dB on testsrc2's hard edges).
    s, o = raw_frames(src, "yuv420p"), raw_frames(same, "yuv420p")
    luma = w * h
    s, o = s.reshape(3, -1), o.reshape(3, -1)
    assert np.array_equal(s[:, :luma], o[:, :luma])
    assert psnr(s[:, luma:], o[:, luma:]) > 30, psnr(s[:, luma:], o[:, luma:])


def test_chroma_model_keeps_the_source_luma(model, tmp_path):
    net = model("chroma", "conv", 3, 2, 2, 1, 5, 8)  # Y, U, V -> U, V (ArtCNN R8F64_Chroma)
    src, w, h = clip(tmp_path, "yuv444p")
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", net, src, out, "--planes", "yuv", "--dither", "none")
    assert video_stream(probe(out))["pix_fmt"] == "yuv444p"
    samples, got = yuv444(src, w, h), yuv444(out, w, h)
    assert np.array_equal(got[:, 0], samples[:, 0])  # the source's Y, sample for sample
    planes = to_float(samples)
    for i in range(3):
        want = to_samples(engine_run(net, planes[i], tmp_path), first=1)
        assert np.abs(got[i, 1:] - want).max() <= 1, i
    assert np.std(got[:, 1:]) > 5  # the model's chroma, not neutral planes


def test_chroma_model_on_420_keeps_luma_at_either_subsampling(model, tmp_path):
    net = model("chroma", "conv", 3, 2, 2, 1, 5, 8)
    src, w, h = clip(tmp_path, "yuv420p")
    for pix_fmt in ("yuv444p", "yuv420p"):
        out = tmp_path / f"{pix_fmt}.mkv"
        extra = ("--pix-fmt", pix_fmt) if pix_fmt == "yuv420p" else ()
        mlrt("run", "-q", net, src, out, "--planes", "yuv", *extra)
        assert video_stream(probe(out))["pix_fmt"] == pix_fmt
        y_src = raw_frames(src, "yuv420p").reshape(3, -1)[:, :w * h]
        y_out = raw_frames(out, pix_fmt).reshape(3, -1)[:, :w * h]
        assert np.array_equal(y_src, y_out), pix_fmt


def test_chroma_model_at_scale_2_resizes_the_source_luma(model, tmp_path):
    net = model("chroma_x2", "conv", 3, 2, 2, 2, 5, 8)  # U, V at twice the size
    src, w, h = clip(tmp_path, "yuv444p")
    out = tmp_path / "x2.mkv"
    p = mlrt("run", net, src, out, "--planes", "yuv", "--dither", "none")
    assert f"wrote 3 frame(s) of {2 * w}x{2 * h}" in p.stderr
    got = yuv444(out, 2 * w, 2 * h)
    planes = to_float(yuv444(src, w, h))
    for i in range(3):
        want = to_samples(engine_run(net, planes[i], tmp_path).reshape(2, 2 * h, 2 * w), first=1)
        assert np.abs(got[i, 1:] - want).max() <= 1, i
    # Y: the source's, resized (zimg's Spline36 against FFmpeg's).
    ref = tmp_path / "ref.mkv"
    ffmpeg("-i", src, "-vf", f"scale={2 * w}:{2 * h}:flags=spline", "-c:v", "ffv1", ref)
    want_y = yuv444(ref, 2 * w, 2 * h)[:, 0]
    assert psnr(got[:, 0], want_y) > 35, psnr(got[:, 0], want_y)


def test_yuv_planes_on_rgb_input_write_rgb(model, tmp_path):
    # A model that mixes the planes non-linearly (y = x + conv stack with ReLU): only the right
    # Y, U, V in, and the right way back, give its output.
    net = model("yuv_residual", "conv", 3, 3, 2, 1, 7, 8, 1, 0, 1)
    # Half saturation keeps most of the model's output inside the RGB gamut.
    src = lavfi_image(tmp_path / "in.png", size="64x48", pix_fmt="rgb24", vf="hue=s=0.5")
    out = tmp_path / "out.png"
    mlrt("run", "-q", net, src, out, "--planes", "yuv", "--dither", "none")
    assert video_stream(probe(out))["pix_fmt"] == "rgb24"
    # RGB (full range) to float YUV with the matrix of this size (BT.601): Y in [0, 1], U and V
    # in [-0.5, 0.5]; the model's Y, U, V back to RGB the same way, rounded.
    kr, kb = 0.299, 0.114
    rgb = raw_frames(src, "rgb24").reshape(48, 64, 3).transpose(2, 0, 1).astype(np.float64) / 255
    y = kr * rgb[0] + (1 - kr - kb) * rgb[1] + kb * rgb[2]
    yuv = np.stack([y, (rgb[2] - y) / (2 * (1 - kb)), (rgb[0] - y) / (2 * (1 - kr))])
    y, u, v = engine_run(net, yuv.astype(np.float32), tmp_path).astype(np.float64)
    r, b = y + 2 * (1 - kr) * v, y + 2 * (1 - kb) * u
    want = np.rint(np.stack([r, (y - kr * r - kb * b) / (1 - kr - kb), b]) * 255)
    got = raw_frames(out, "rgb24").reshape(48, 64, 3).transpose(2, 0, 1).astype(np.float64)
    # Compared where the model's output is inside the gamut (clipped pixels hold less). Measured:
    # equal; the model on R, G, B is up to 62 off, on BT.709's YUV 9, on limited-range codes 6,
    # with U and V swapped 39.
    inside = np.all((want > 0) & (want < 255), axis=0)
    assert inside.mean() > 0.5, inside.mean()
    diff = np.abs(got - want)[:, inside]
    assert diff.max() <= 1, diff.max()
    assert np.abs(got - rgb * 255).mean() > 5  # the model changed the picture


def test_yuv_window_feeds_each_frames_yuv_planes(model, tmp_path):
    net = model("window9", "conv", 9, 3, 2, 1, 3, 8)
    src, w, h = clip(tmp_path, "yuv444p", frames=3)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", net, src, out, "--planes", "yuv", "--window", "3", "--dither", "none")
    planes, got = to_float(yuv444(src, w, h)), yuv444(out, w, h)
    x = np.concatenate([planes[0], planes[1], planes[2]])
    assert np.abs(got[1] - to_samples(engine_run(net, x, tmp_path))).max() <= 1


def test_flags_and_model_that_disagree_are_refused(model, models, tmp_path):
    src, _, _ = clip(tmp_path, "yuv420p", frames=1)
    out = tmp_path / "out.mkv"
    cases = [
        (["--planes", "yuv", models["gray-identity"]], "takes 1 channel"),
        ([model("chroma", "conv", 3, 2, 2, 1, 5, 8)], "gives 2 planes"),
        (["--planes", "yuv", model("four", "conv", 3, 4, 1, 1, 5, 4)], "must give 3 (Y, U, V) or 2"),
        (["--planes", "yuv", "--window", "3", model("chroma_w", "conv", 9, 2, 1, 1, 5, 4)],
         "cannot give them the source's Y"),
    ]
    for args, message in cases:
        p = mlrt("run", *args, src, out, check=False)
        assert p.returncode == 1 and message in p.stderr, (args, p.stderr)
        assert not out.exists()
    gray = lavfi_image(tmp_path / "gray.png", pix_fmt="gray")
    p = mlrt("run", "--planes", "yuv", models["identity"], gray, tmp_path / "g.png", check=False)
    assert p.returncode == 1 and "is GRAY, it has no U and V" in p.stderr, p.stderr
    p = mlrt("run", "--planes", "ycbcr", models["identity"], src, out, check=False)
    assert p.returncode == 2 and "--planes" in p.stderr
