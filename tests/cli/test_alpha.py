"""Alpha is kept: RGBA, YA and YUVA input keeps its alpha through `mlrt run`. By default it goes
through the model (fed as gray into each input plane, the first output plane taken back) when the
model scales, and is copied at scale 1; `--alpha resize` resizes it with zimg, `--alpha drop`
drops it. Outputs that can hold alpha (PNG, TIFF, WebP, FFV1 in Matroska) hold it; others drop it
with a warning naming the output."""
import numpy as np
import pytest

from helpers import ffmpeg, have_encoder, lavfi_image, lavfi_video, mlrt, probe, psnr, raw_frames, video_stream
from test_workloads import engine_run, model, tools  # noqa: F401 (model, tools: fixtures)

# A gradient alpha over testsrc2: every value from fully transparent to opaque.
ALPHA = "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='clip(X*4+Y,0,255)'"


def rgba_image(tmp_path, name="in.png", pix_fmt="rgba", size="64x48"):
    return lavfi_image(tmp_path / name, size=size, pix_fmt=pix_fmt, vf=ALPHA)


def rgba(path, w, h):
    return raw_frames(path, "rgba").reshape(-1, h, w, 4).astype(np.float64)


def test_alpha_is_copied_at_scale_1(model, tmp_path):
    # A model that changes the colour (y = x + conv stack): the RGB is the model's, the alpha
    # the source's, sample for sample (through this model it would be up to 17 off, 98% of it).
    net = model("rgb_residual", "conv", 3, 3, 2, 1, 9, 8, 1, 0, 1)
    src = rgba_image(tmp_path)
    out = tmp_path / "out.png"
    mlrt("run", "-q", net, src, out, "--dither", "none")
    assert video_stream(probe(out))["pix_fmt"] == "rgba"
    s, got = rgba(src, 64, 48)[0], rgba(out, 64, 48)[0]
    assert np.array_equal(got[..., 3], s[..., 3])
    want = engine_run(net, (s[..., :3] / 255).transpose(2, 0, 1).astype(np.float32), tmp_path)
    want = np.clip(np.rint(want.transpose(1, 2, 0) * 255), 0, 255)
    assert np.abs(got[..., :3] - want).max() <= 1
    assert np.abs(got[..., :3] - s[..., :3]).mean() > 2  # the model did change the colour


def test_16_bit_alpha_stays_16_bit(models, tmp_path):
    src = tmp_path / "in16.png"
    ffmpeg("-i", rgba_image(tmp_path), "-vf", "format=rgba64be,geq=r='r(X,Y)*257':g='g(X,Y)*257':"
           "b='b(X,Y)*257':a='X*1000+Y*7'", src)
    assert video_stream(probe(src))["pix_fmt"] == "rgba64be"
    out = tmp_path / "out16.png"
    mlrt("run", "-q", models["identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "rgba64be"
    a = raw_frames(src, "rgba64le").view("<u2").reshape(48, 64, 4)[..., 3]
    b = raw_frames(out, "rgba64le").view("<u2").reshape(48, 64, 4)[..., 3]
    assert np.array_equal(a, b)


def test_alpha_goes_through_an_upscaling_model(model, tmp_path):
    up = model("rgb_x2", "conv", 3, 3, 1, 2, 9, 4)
    src = rgba_image(tmp_path)
    out = tmp_path / "x2.png"
    mlrt("run", "-q", up, src, out, "--dither", "none")
    assert video_stream(probe(out))["pix_fmt"] == "rgba"
    s, got = rgba(src, 64, 48)[0] / 255, rgba(out, 128, 96)[0]
    a = np.repeat(s[None, ..., 3], 3, axis=0).astype(np.float32)  # alpha as gray, in each plane
    want_alpha = np.clip(np.rint(engine_run(up, a, tmp_path).reshape(3, 96, 128)[0] * 255), 0, 255)
    assert np.abs(got[..., 3] - want_alpha).max() <= 1
    want_rgb = engine_run(up, s[..., :3].transpose(2, 0, 1).astype(np.float32), tmp_path).reshape(3, 96, 128)
    assert np.abs(got[..., :3] - np.clip(np.rint(want_rgb.transpose(1, 2, 0) * 255), 0, 255)).max() <= 1


def spline36_x2(plane):
    """`plane` at twice the size with Spline36 as zimg resizes: centres aligned, the kernel's
    taps normalised, the edges mirrored (half-sample symmetric)."""
    def kernel(x):
        x = abs(x)
        if x < 1:
            return ((13 / 11 * x - 453 / 209) * x - 3 / 209) * x + 1
        if x < 2:
            x -= 1
            return ((-6 / 11 * x + 270 / 209) * x - 156 / 209) * x
        if x < 3:
            x -= 2
            return ((1 / 11 * x - 45 / 209) * x + 26 / 209) * x
        return 0.0

    def weights(n):
        m = np.zeros((2 * n, n))
        for o in range(2 * n):
            c = (o + 0.5) / 2 - 0.5
            taps = [(t, kernel(c - t)) for t in range(int(np.floor(c)) - 2, int(np.floor(c)) + 4)]
            total = sum(w for _, w in taps)
            for t, w in taps:
                m[o, -t - 1 if t < 0 else 2 * n - 1 - t if t >= n else t] += w / total
        return m
    return weights(plane.shape[0]) @ plane @ weights(plane.shape[1]).T


def test_alpha_resize_uses_zimg(model, tmp_path):
    up = model("rgb_x2", "conv", 3, 3, 1, 2, 9, 4)
    # Hard-edged alpha (diagonal stripes of 0 and 255): resamplers differ most at such edges.
    src = lavfi_image(tmp_path / "in.png", pix_fmt="rgba",
                      vf="format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*gt(mod(X+Y,8),3)'")
    out = tmp_path / "x2.png"
    mlrt("run", "-q", up, src, out, "--alpha", "resize")
    a, got = rgba(src, 64, 48)[0, ..., 3], rgba(out, 128, 96)[0, ..., 3]
    want = np.clip(np.rint(spline36_x2(a)), 0, 255)
    # Measured: equal. Nearest neighbour is up to 112 off, bilinear 46 (FFmpeg's Spline36, which
    # treats the edges and taps its own way, 33 dB).
    assert np.abs(got - want).max() <= 1, np.abs(got - want).max()


def test_alpha_drop_writes_no_alpha_and_no_warning(models, tmp_path):
    out = tmp_path / "out.png"
    p = mlrt("run", models["identity"], rgba_image(tmp_path), out, "--alpha", "drop")
    assert video_stream(probe(out))["pix_fmt"] == "rgb24"
    assert "has alpha" not in p.stderr and "warning" not in p.stderr


def test_output_without_alpha_warns_naming_it(models, tmp_path):
    out = tmp_path / "out.jpg"
    p = mlrt("run", models["identity"], rgba_image(tmp_path), out)
    assert "warning" in p.stderr and "has alpha" in p.stderr and "'" + str(out) + "'" in p.stderr, p.stderr
    assert "mjpeg" in p.stderr and out.exists()


@pytest.mark.parametrize("ext,encoder", [(".tif", "tiff"), (".webp", "libwebp")])
def test_tiff_and_webp_hold_alpha(models, tmp_path, ext, encoder):
    if not have_encoder(encoder):
        pytest.skip(f"this FFmpeg has no {encoder} encoder")
    src = rgba_image(tmp_path)
    out = tmp_path / f"out{ext}"
    p = mlrt("run", models["identity"], src, out)
    assert "warning" not in p.stderr
    a, b = rgba(src, 64, 48)[0, ..., 3], rgba(out, 64, 48)[0, ..., 3]
    if ext == ".tif":
        assert np.array_equal(a, b)
    else:  # WebP's default is lossy, its alpha too
        assert psnr(a, b) > 30, psnr(a, b)


def test_gray_alpha_with_a_luma_model(models, tmp_path):
    src = rgba_image(tmp_path, "ya.png", pix_fmt="ya8")
    out = tmp_path / "out.png"
    mlrt("run", "-q", models["gray-identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "ya8"
    assert np.array_equal(raw_frames(out, "ya8"), raw_frames(src, "ya8"))


@pytest.mark.parametrize("kind", ["identity", "gray-identity"])
def test_yuva_video_keeps_alpha_in_ffv1(models, tmp_path, kind):
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3, pix_fmt="yuva420p",
                      vf=ALPHA)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", models[kind], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "yuva420p"
    n = 64 * 48
    a = raw_frames(src, "yuva420p").reshape(3, -1)[:, -n:]
    b = raw_frames(out, "yuva420p").reshape(3, -1)[:, -n:]
    assert np.array_equal(a, b) and a.min() < 50 and a.max() > 200


def test_alpha_and_temporal_flags(model, tmp_path):
    net = model("window9", "conv", 9, 3, 2, 1, 3, 8)
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3, pix_fmt="yuva420p",
                      vf=ALPHA)
    out = tmp_path / "out.mkv"
    p = mlrt("run", net, src, out, "--window", "3", check=False)
    assert p.returncode == 1 and "has alpha" in p.stderr and "--alpha drop" in p.stderr, p.stderr
    assert not out.exists()
    mlrt("run", "-q", net, src, out, "--window", "3", "--alpha", "drop")
    assert video_stream(probe(out))["pix_fmt"] == "yuv420p"


def test_bad_alpha_value_is_refused(models, tmp_path):
    p = mlrt("run", models["identity"], rgba_image(tmp_path), tmp_path / "o.png", "--alpha", "keep",
             check=False)
    assert p.returncode == 2 and "--alpha" in p.stderr


def test_palette_transparency_is_alpha(models, tmp_path):
    src = tmp_path / "pal.png"
    ffmpeg("-i", rgba_image(tmp_path), "-vf",
           "split[a][b];[a]palettegen=reserve_transparent=1[p];[b][p]paletteuse=alpha_threshold=128", src)
    assert video_stream(probe(src))["pix_fmt"] == "pal8"
    out = tmp_path / "out.png"
    mlrt("run", "-q", models["identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "rgba"
    a, b = rgba(src, 64, 48)[0, ..., 3], rgba(out, 64, 48)[0, ..., 3]
    assert np.array_equal(a, b) and set(np.unique(a)) == {0, 255}


def test_alpha_through_a_chroma_model_is_refused(model, tmp_path):
    # A chroma model gives U and V only: no plane alpha could be taken back from.
    net = model("chroma", "conv", 3, 2, 2, 1, 5, 8)
    src = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.2, pix_fmt="yuva444p", vf=ALPHA)
    out = tmp_path / "out.mkv"
    p = mlrt("run", net, src, out, "--planes", "yuv", "--alpha", "model", check=False)
    assert p.returncode == 1 and "--alpha model" in p.stderr and "U and V only" in p.stderr, p.stderr
    assert not out.exists()
    # By default its alpha is copied.
    mlrt("run", "-q", net, src, out, "--planes", "yuv")
    assert video_stream(probe(out))["pix_fmt"] == "yuva444p"
    n = 64 * 48
    a = raw_frames(src, "yuva444p").reshape(2, 4, n)
    b = raw_frames(out, "yuva444p").reshape(2, 4, n)
    assert np.array_equal(a[:, 3], b[:, 3]) and a[:, 3].min() < 50 and a[:, 3].max() > 200
    assert not np.array_equal(a[:, 1:3], b[:, 1:3])  # the model's U and V
