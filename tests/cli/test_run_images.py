"""mlrt run on still images: RGB, GRAY and 16-bit PNG, JPEG and TIFF output."""
import numpy as np
import pytest

from helpers import lavfi_image, mlrt, probe, psnr, raw_frames, video_stream


def stream(path):
    return video_stream(probe(path))


def test_rgb_png_identity_is_exact(models, tmp_path):
    src = lavfi_image(tmp_path / "rgb.png")
    out = tmp_path / "out.png"
    mlrt("run", models["identity"], src, out)
    assert stream(out)["pix_fmt"] == "rgb24"
    assert np.array_equal(raw_frames(src, "rgb24"), raw_frames(out, "rgb24"))


def test_rgb_png_upscale(models, tmp_path):
    src = lavfi_image(tmp_path / "rgb.png", size="64x48")
    out = tmp_path / "up.png"
    mlrt("run", models["upscale2x"], src, out)
    s = stream(out)
    assert (s["width"], s["height"], s["pix_fmt"]) == (128, 96, "rgb24")


def test_gray_png_with_gray_model_stays_gray(models, tmp_path):
    src = lavfi_image(tmp_path / "g.png", pix_fmt="gray")
    out = tmp_path / "g_out.png"
    mlrt("run", models["gray-identity"], src, out)
    assert stream(out)["pix_fmt"] == "gray"
    assert np.array_equal(raw_frames(src, "gray"), raw_frames(out, "gray"))
    up = tmp_path / "g_up.png"
    mlrt("run", models["gray-upscale2x"], src, up)
    s = stream(up)
    assert (s["width"], s["pix_fmt"]) == (128, "gray")


def test_gray_png_with_rgb_model_gives_rgb(models, tmp_path):
    src = lavfi_image(tmp_path / "g.png", pix_fmt="gray")
    out = tmp_path / "rgb_out.png"
    mlrt("run", models["identity"], src, out)
    assert stream(out)["pix_fmt"] == "rgb24"
    rgb = raw_frames(out, "rgb24").reshape(-1, 3)
    gray = raw_frames(src, "gray")
    for c in range(3):  # grey replicated into R, G and B
        assert np.array_equal(rgb[:, c], gray), "RGB"[c]


def test_16bit_png_stays_16bit_and_exact(models, tmp_path):
    src = lavfi_image(tmp_path / "rgb16.png", pix_fmt="rgb48be")
    out = tmp_path / "out16.png"
    mlrt("run", models["identity"], src, out)
    assert stream(out)["pix_fmt"] == "rgb48be"
    a = raw_frames(src, "rgb48le").view("<u2")
    b = raw_frames(out, "rgb48le").view("<u2")
    assert np.array_equal(a, b)
    assert len(np.unique(a & 0xFF)) > 1  # really 16-bit content, not 8-bit scaled


def test_16bit_gray_png(models, tmp_path):
    src = lavfi_image(tmp_path / "g16.png", pix_fmt="gray16be")
    out = tmp_path / "g16_out.png"
    mlrt("run", models["gray-identity"], src, out)
    assert stream(out)["pix_fmt"] == "gray16be"
    assert np.array_equal(raw_frames(src, "gray16le"), raw_frames(out, "gray16le"))


def test_gray_model_on_rgb_with_gray_flag(models, tmp_path):
    src = lavfi_image(tmp_path / "rgb.png")
    out = tmp_path / "luma.png"
    mlrt("run", "--gray", models["gray-identity"], src, out)
    assert stream(out)["pix_fmt"] == "gray"
    # Luma of the RGB picture (BT.601 for this small frame), as ffmpeg computes it.
    ref = raw_frames(src, "gray", extra=["-vf", "scale=out_range=pc:out_color_matrix=bt601"])
    assert psnr(ref, raw_frames(out, "gray")) > 35


def test_jpeg_output(models, tmp_path):
    src = lavfi_image(tmp_path / "rgb.png")
    out = tmp_path / "out.jpg"
    mlrt("run", models["upscale2x"], src, out)
    s = stream(out)
    assert s["codec_name"] == "mjpeg" and s["width"] == 128
    assert psnr(raw_frames(out, "rgb24"), raw_frames(tmp_path / "rgb.png", "rgb24", extra=["-vf", "scale=128:96"])) > 20


@pytest.mark.parametrize("pix_fmt,expect", [("rgb24", "rgb24"), ("rgb48be", "rgb48le")])
def test_tiff_output(models, tmp_path, pix_fmt, expect):
    src = lavfi_image(tmp_path / "in.png", pix_fmt=pix_fmt)
    out = tmp_path / "out.tif"
    mlrt("run", models["identity"], src, out)
    s = stream(out)
    assert s["codec_name"] == "tiff" and s["pix_fmt"] == expect


def test_pix_fmt_override(models, tmp_path):
    src = lavfi_image(tmp_path / "in.png")
    out = tmp_path / "out16.png"
    mlrt("run", "--pix-fmt", "rgb48be", models["identity"], src, out)
    assert stream(out)["pix_fmt"] == "rgb48be"
