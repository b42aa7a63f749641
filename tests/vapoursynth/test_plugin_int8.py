"""ort.Model(int8=1): calibrated on frames of the clip (or a calibration file), close to float32
but really quantized, tiled equal to untiled, and its refusals as vs.Error."""
import numpy as np
import pytest

from conftest import vs
from test_plugin import planes, rgb_clip


def conv(make_model):
    return make_model("conv", 3, 3, 5, 1, 2, 16)  # 5 convolutions, hidden 16: 3 in int8


def test_int8_is_quantized_and_close_to_float(core, make_model, tmp_path):
    model = conv(make_model)
    clip, _ = rgb_clip(core, 40, 24, frames=4)
    f32 = planes(core.ort.Model(clip, network_path=str(model)).get_frame(2))
    i8 = planes(core.ort.Model(clip, network_path=str(model), int8=1, calibrate=2).get_frame(2))
    assert not np.array_equal(f32, i8), "int8 output is bit-identical to float32"
    # Judged against the output's own spread: a constant or all-zero output fails.
    signal = float(np.var(f32))
    noise = float(np.mean((f32 - i8) ** 2))
    assert 10 * np.log10(signal / noise) > 20, (signal, noise)


def test_calibration_file_round_trip(core, make_model, tmp_path):
    model = conv(make_model)
    cal = tmp_path / "plugin.calibration"
    clip, _ = rgb_clip(core, 40, 24, frames=5, seed=3)
    first = planes(core.ort.Model(clip, network_path=str(model), int8=True, calibrate=2,
                                  calibration=str(cal)).get_frame(1))
    assert "frames 2\n" in cal.read_text()
    again = planes(core.ort.Model(clip, network_path=str(model), int8=True,
                                  calibration=str(cal)).get_frame(1))
    np.testing.assert_array_equal(first, again)


def test_tiled_int8_equals_untiled(core, make_model, tmp_path):
    model = conv(make_model)  # receptive-field radius 5
    cal = tmp_path / "tiles.calibration"
    clip, _ = rgb_clip(core, 45, 27, frames=2, seed=4)
    whole = planes(core.ort.Model(clip, network_path=str(model), int8=1, calibration=str(cal)).get_frame(0))
    tiled = planes(core.ort.Model(clip, network_path=str(model), int8=1, calibration=str(cal),
                                  tilesize=24, overlap=5).get_frame(0))
    np.testing.assert_array_equal(tiled, whole)


@pytest.mark.parametrize("args, message", [
    ({"int8": 1, "fp16": 1}, "cannot be combined with fp16"),
    ({"int8": 1, "calibrate": 0}, "calibrate"),
    ({"int8": 1, "calibration": ""}, "calibration"),
])
def test_int8_refusals(core, make_model, args, message):
    clip, _ = rgb_clip(core, 16, 16, frames=1)
    with pytest.raises(vs.Error, match=message):
        core.ort.Model(clip, network_path=str(conv(make_model)), **args)
