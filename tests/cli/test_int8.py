"""`mlrt run --int8` and `mlrt bench --int8`: calibration on the input, the calibration file,
the quality report, and the refusals."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import MLRT, lavfi_video, mlrt, psnr, raw_frames

WRITE_MODEL = MLRT.parents[2] / "tests" / "mlrt_write_test_model"


@pytest.fixture(scope="module")
def conv_model(tmp_path_factory):
    """Six 3x3 convolutions (hidden 16) with ReLU between: four run in int8 by default."""
    if not WRITE_MODEL.exists():
        pytest.skip(f"test model writer not built at {WRITE_MODEL}")
    path = tmp_path_factory.mktemp("int8") / "conv.onnx"
    subprocess.run([str(WRITE_MODEL), str(path), "conv", "3", "3", "6", "1", "3", "16"], check=True)
    return path


@pytest.fixture(scope="module")
def spread_model(tmp_path_factory):
    """The same six convolutions with weights 5 times larger, so that the input's detail
    survives to the output, and the output times 1.5 plus 0.42: it spans [0, 1] (standard
    deviation about 0.15 per channel on natural frames; 3% clipped). A PSNR against its float32
    output then judges int8: a constant output scores about 15-18 dB on it, where on the plain
    stack (output within 0.04 of a constant) it scored over 30."""
    if not WRITE_MODEL.exists():
        pytest.skip(f"test model writer not built at {WRITE_MODEL}")
    path = tmp_path_factory.mktemp("int8") / "spread.onnx"
    subprocess.run([str(WRITE_MODEL), str(path), "conv", "3", "3", "6", "1", "3", "16", "1.5", "0.42", "0",
                    "5"], check=True)
    return path


def snr_db(ref, test):
    """The reference's variance over the error's mean square, in dB: unlike PSNR it does not
    reward an output that hardly varies."""
    ref, test = ref.astype(np.float64), test.astype(np.float64)
    return 10 * np.log10(np.var(ref) / max(np.mean((ref - test) ** 2), 1e-30))


@pytest.fixture()
def clip(tmp_path):
    path = tmp_path / "in.mkv"
    lavfi_video(path, size="96x64", rate=12, duration=1)
    return path


def test_int8_run_matches_float_within_quantization_error(spread_model, clip, tmp_path, monkeypatch):
    monkeypatch.setenv("MLRT_CACHE_DIR", str(tmp_path / "cache"))
    mlrt("run", spread_model, clip, tmp_path / "f32.mkv", "--quiet")
    p = mlrt("run", spread_model, clip, tmp_path / "i8.mkv", "--int8", "-v", "--quiet")
    assert "4 node(s) in int8" in p.stderr
    assert "PSNR against float32 on the calibration frames" in p.stderr
    a = raw_frames(tmp_path / "f32.mkv", "rgb24")
    b = raw_frames(tmp_path / "i8.mkv", "rgb24")
    assert a.shape == b.shape and a.size == 12 * 96 * 64 * 3
    assert a.std() > 30, a.std()  # the float32 output varies: the comparison can fail
    assert not np.array_equal(a, b), "int8 output is bit-identical to float32: nothing was quantized"
    # Measured 41.5 dB PSNR, 26.5 dB SNR. A constant output (the mean) scores 15.0 / 0.0, one
    # constant per channel 16.3 / 1.3, zero 5.6 / -9.5, the previous frame's output 24.4 / 9.4.
    assert psnr(a, b) > 35.0, psnr(a, b)
    assert snr_db(a, b) > 20.0, snr_db(a, b)
    assert any(f.name.startswith("int8-") for f in (tmp_path / "cache").iterdir())


def test_calibration_file_is_written_then_reused(conv_model, clip, tmp_path, monkeypatch):
    monkeypatch.setenv("MLRT_CACHE_DIR", str(tmp_path / "cache"))
    cal = tmp_path / "conv.calibration"
    mlrt("run", conv_model, clip, tmp_path / "a.mkv", "--int8", "--calibration", cal, "--calibrate", "3",
         "--quiet")
    text = cal.read_text()
    assert text.startswith("mlrt-int8-calibration 1\n") and "frames 3\n" in text
    # The input and the output of each of the 6 convolutions (the input of one is the ReLU of
    # the one before): 12 tensors.
    assert text.count("\nrange ") == 12
    before = cal.stat().st_mtime_ns
    p = mlrt("run", conv_model, clip, tmp_path / "b.mkv", "--int8", "--calibration", cal, "-v", "--quiet")
    assert cal.stat().st_mtime_ns == before, "an existing calibration file was rewritten"
    assert f"file {cal}" in p.stderr and "PSNR" not in p.stderr  # loaded: no frames to measure on
    assert np.array_equal(raw_frames(tmp_path / "a.mkv", "rgb24"), raw_frames(tmp_path / "b.mkv", "rgb24"))


def test_calibration_for_another_model_is_refused(conv_model, clip, tmp_path):
    cal = tmp_path / "c.calibration"
    mlrt("run", conv_model, clip, tmp_path / "a.mkv", "--int8", "--calibration", cal, "--quiet")
    other = tmp_path / "other.onnx"
    subprocess.run([str(WRITE_MODEL), str(other), "conv", "3", "3", "6", "1", "4", "16"], check=True)
    p = mlrt("run", other, clip, tmp_path / "b.mkv", "--int8", "--calibration", cal, check=False)
    assert p.returncode != 0 and "calibration was made for another model" in p.stderr
    assert not (tmp_path / "b.mkv").exists()


def test_bad_calibration_file_names_file_and_line(conv_model, clip, tmp_path):
    cal = tmp_path / "bad.calibration"
    cal.write_text("mlrt-int8-calibration 1\nmodel abc\nrange 1 nonsense\n")
    p = mlrt("run", conv_model, clip, tmp_path / "o.mkv", "--int8", "--calibration", cal, check=False)
    assert p.returncode != 0
    assert f"calibration file '{cal}' line 3" in p.stderr


@pytest.mark.parametrize("flags, message", [
    (["--int8", "--fp16"], "--int8 cannot be combined with fp16"),
    (["--int8", "--calibrate", "0"], "--calibrate"),
])
def test_int8_refusals(conv_model, clip, tmp_path, flags, message):
    p = mlrt("run", conv_model, clip, tmp_path / "o.mkv", *flags, check=False)
    assert p.returncode != 0 and message in p.stderr
    assert not (tmp_path / "o.mkv").exists()


def test_model_with_nothing_to_quantize_is_reported(models, clip, tmp_path):
    # The built-in upscaler has one convolution: both first and last, so it stays float.
    p = mlrt("run", models["upscale2x"], clip, tmp_path / "o.mkv", "--int8", "--quiet")
    assert "no node runs in int8" in p.stderr


def test_bench_int8_reports_ratio_and_psnr(spread_model):
    j = json.loads(mlrt("bench", spread_model, "--size", "64x48", "--int8", "--repeats", "2", "--calibrate",
                        "2", "--json").stdout)
    assert j["int8_nodes"] == 4 and j["calibration_frames"] == 2
    # The times are printed to the microsecond, which at these sizes is a part in a hundred or
    # so: the ratio (computed before rounding, printed to 4 decimals) lies within what the
    # rounded times allow.
    f, i, half = j["float32_ms"], j["int8_ms"], 0.0005
    assert (f - half) / (i + half) - 0.00005 <= j["int8_vs_float32"] <= (f + half) / max(i - half, 1e-9) + 0.00005
    # Measured 46.0 dB on the calibration frames, 35.5 on the others. On the bench's frames a
    # constant output would score 15.5 to 18.3 dB against this model's float32 output (one
    # constant per channel 19.9 to 22.2), zero 4.2 to 4.7; on the plain stack, whose output is
    # nearly flat, a constant scored 31.5.
    assert 35.0 < float(j["psnr_calibration_db"]) < 200.0 and float(j["psnr_other_db"]) > 30.0, j
    text = mlrt("bench", spread_model, "--size", "64x48", "--int8", "--repeats", "1").stdout
    assert "| int8 |" in text and "vs float32" in text and "PSNR" in text


def test_unwritable_calibration_file_is_an_error_naming_it(conv_model, clip, tmp_path):
    cal = tmp_path / "no-such-dir" / "c.calibration"
    p = mlrt("run", conv_model, clip, tmp_path / "o.mkv", "--int8", "--calibration", cal, check=False)
    assert p.returncode != 0 and f"cannot write calibration file '{cal}'" in p.stderr
    assert not (tmp_path / "o.mkv").exists()
