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


@pytest.fixture()
def clip(tmp_path):
    path = tmp_path / "in.mkv"
    lavfi_video(path, size="96x64", rate=12, duration=1)
    return path


def test_int8_run_matches_float_within_quantization_error(conv_model, clip, tmp_path, monkeypatch):
    monkeypatch.setenv("MLRT_CACHE_DIR", str(tmp_path / "cache"))
    mlrt("run", conv_model, clip, tmp_path / "f32.mkv", "--quiet")
    p = mlrt("run", conv_model, clip, tmp_path / "i8.mkv", "--int8", "-v", "--quiet")
    assert "4 node(s) in int8" in p.stderr
    assert "PSNR against float32 on the calibration frames" in p.stderr
    a = raw_frames(tmp_path / "f32.mkv", "rgb24")
    b = raw_frames(tmp_path / "i8.mkv", "rgb24")
    assert a.shape == b.shape and a.size == 12 * 96 * 64 * 3
    assert not np.array_equal(a, b), "int8 output is bit-identical to float32: nothing was quantized"
    assert psnr(a, b) > 35.0
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


def test_bench_int8_reports_ratio_and_psnr(conv_model):
    j = json.loads(mlrt("bench", conv_model, "--size", "64x48", "--int8", "--repeats", "2", "--calibrate",
                        "2", "--json").stdout)
    assert j["int8_nodes"] == 4 and j["calibration_frames"] == 2
    # The times are printed to the microsecond, which at these sizes is a part in a hundred or
    # so: the ratio (computed before rounding) lies within what the rounded times allow.
    f, i, half = j["float32_ms"], j["int8_ms"], 0.0005
    assert (f - half) / (i + half) <= j["int8_vs_float32"] <= (f + half) / max(i - half, 1e-9)
    assert 30.0 < float(j["psnr_calibration_db"]) < 200.0 and float(j["psnr_other_db"]) > 30.0
    text = mlrt("bench", conv_model, "--size", "64x48", "--int8", "--repeats", "1").stdout
    assert "| int8 |" in text and "vs float32" in text and "PSNR" in text


def test_unwritable_calibration_file_is_an_error_naming_it(conv_model, clip, tmp_path):
    cal = tmp_path / "no-such-dir" / "c.calibration"
    p = mlrt("run", conv_model, clip, tmp_path / "o.mkv", "--int8", "--calibration", cal, check=False)
    assert p.returncode != 0 and f"cannot write calibration file '{cal}'" in p.stderr
    assert not (tmp_path / "o.mkv").exists()
