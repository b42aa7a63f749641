"""inference(..., int8=True) on numpy arrays: calibrated on the array given (or a calibration
file), really quantized, close to float32, and its refusals as ValueError."""
import numpy as np
import pytest

from conftest import mlrt


def test_int8_is_quantized_and_close_to_float(make_model, frames):
    model = make_model("conv", 3, 3, 5, 1, 2, 16)
    x = frames(3, 32, 48, seed=5)
    b = mlrt.ORT_CPU(fp16=False)
    f32 = b.inference(x, model)
    i8 = b.inference(x, model, int8=True)
    assert i8.shape == f32.shape and i8.dtype == np.float32
    assert not np.array_equal(f32, i8), "int8 output is bit-identical to float32"
    mse = float(np.mean((f32.astype(np.float64) - i8) ** 2))
    peak = float(np.abs(f32).max())
    assert 10 * np.log10(peak * peak / mse) > 30.0


def test_calibration_file_is_written_and_reused(make_model, frames, tmp_path):
    model = make_model("conv", 3, 3, 4, 1, 3, 16)
    cal = tmp_path / "py.calibration"
    b = mlrt.ORT_CPU(fp16=False)
    x = frames(3, 24, 40, seed=6)
    first = b.inference(x, model, int8=True, calibration=str(cal))
    assert cal.read_text().startswith("mlrt-int8-calibration 1\n")
    again = b.inference(x, model, int8=True, calibration=str(cal), num_streams=2)
    np.testing.assert_array_equal(first, again)


def test_int8_with_fp16_is_refused(make_model, frames):
    with pytest.raises(ValueError, match="cannot be combined with fp16"):
        mlrt.ORT_CPU(fp16=True).inference(frames(3, 16, 16), make_model("conv", 3, 3, 2, 1), int8=True)
