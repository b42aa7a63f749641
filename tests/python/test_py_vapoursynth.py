"""inference() on VapourSynth clips through mlrt's `ort` plugin (loaded by the package when the
namespace is free): equal to the engine and to the numpy path, integer clips converted, flexible
output as clips, and a script written against the reference."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import PACKAGE_DIR, mlrt, vs

pytestmark = pytest.mark.vapoursynth


@pytest.fixture()
def core():
    return vs.core


def clip_of(core, data, fmt):
    """A clip whose frame n holds data[n] (planes (C, H, W)) in format `fmt`."""
    frames, _, height, width = data.shape
    blank = core.std.BlankClip(width=width, height=height, format=fmt, length=frames)

    def fill(n, f):
        out = f.copy()
        for p in range(out.format.num_planes):
            np.asarray(out[p])[:] = data[n, p]
        return out
    return blank.std.ModifyFrame(blank, fill)


def planes(frame):
    return np.stack([np.asarray(frame[p]) for p in range(frame.format.num_planes)])


def rgb_data(frames=2, height=24, width=40, seed=0):
    return np.random.default_rng(seed).random((frames, 3, height, width), dtype=np.float32)


def test_the_package_loads_its_own_plugin(core):
    ns = mlrt.ORT_CPU.plugin
    assert ns.identifier == "io.github.mlrt.ort"
    assert hasattr(core, "ort") and core.ort.identifier == ns.identifier
    assert mlrt.ORT_CPU().plugin.identifier == ns.identifier


def test_clip_equals_the_engine(core, make_model, run_raw):
    model = make_model("conv", 3, 3, 2, 2)
    data = rgb_data()
    out = mlrt.Backend.ORT_CPU(fp16=False).inference(clip_of(core, data, vs.RGBS), model,
                                                     overlap=(4, 4), tilesize=(20, 12))
    assert (out.width, out.height, out.num_frames) == (80, 48, 2)
    assert out.format.id == vs.RGBS.value
    for n in range(2):
        np.testing.assert_array_equal(planes(out.get_frame(n)),
                                      run_raw(model, data[n], 20, 12, 4, 4).reshape(3, 48, 80))


def test_clip_equals_the_numpy_path(core, make_model):
    model = make_model("conv", 3, 3, 2, 1)
    data = rgb_data(1, seed=3)
    b = mlrt.ORT_CPU()  # fp16: RGBH out of an RGBS clip, as the arrays' float16
    out = b.inference(clip_of(core, data, vs.RGBS), model, overlap=2, tilesize=16)
    assert out.format.id == vs.RGBH.value
    np.testing.assert_array_equal(planes(out.get_frame(0)),
                                  b.inference(data[0], model, overlap=2, tilesize=16))


@pytest.mark.parametrize("fmt, fp16, expected", [
    ("RGB24", True, "RGBH"), ("RGB24", False, "RGBS"), ("RGB48", False, "RGBS"),
    ("GRAY8", False, "GrayS")])
def test_integer_clips_are_converted(core, make_model, fmt, fp16, expected):
    fmt = core.get_video_format(getattr(vs, fmt))
    channels = fmt.num_planes
    model = make_model("identity", channels)
    top = (1 << fmt.bits_per_sample) - 1
    data = (np.random.default_rng(5).random((1, channels, 8, 12)) * top).round()
    data = data.astype(np.uint8 if fmt.bits_per_sample == 8 else np.uint16)
    out = mlrt.ORT_CPU(fp16=fp16).inference(clip_of(core, data, fmt), model)
    assert out.format.name == expected
    if fmt.color_family == vs.GRAY:  # VapourSynth's conversion: luma is limited range
        expected_values = (data[0] / (top + 1) * 256 - 16) / 219
    else:
        expected_values = data[0] / top
    np.testing.assert_allclose(planes(out.get_frame(0)).astype(np.float32), expected_values,
                               atol=1e-3 if fp16 else 1e-6)


def test_several_clips(core, make_model):
    model = make_model("conv", 3, 3, 1, 1)
    data = rgb_data(1, seed=7)
    b = mlrt.ORT_CPU(fp16=False)
    gray = [clip_of(core, data[:, c:c + 1], vs.GRAYS) for c in range(3)]
    together = planes(b.inference(gray, model).get_frame(0))
    np.testing.assert_array_equal(together, planes(b.inference(clip_of(core, data, vs.RGBS),
                                                               model).get_frame(0)))


def test_flexible_gives_one_clip_per_plane(core, make_model):
    model = make_model("split", 3, 5)
    data = rgb_data(1, 10, 12, seed=2)
    b = mlrt.ORT_CPU(fp16=False)
    clips = b.inference(clip_of(core, data, vs.RGBS), model, flexible=True)
    assert isinstance(clips, list) and len(clips) == 5
    assert all(c.format.id == vs.GRAYS.value and (c.width, c.height) == (12, 10) for c in clips)
    expected = b.inference(data[0], model, flexible=True)
    for c, e in zip(clips, expected):
        np.testing.assert_array_equal(np.asarray(c.get_frame(0)[0]), e)


def test_kwargs_reach_the_plugin(core, make_model):
    model = make_model("identity", 3)
    clip = clip_of(core, rgb_data(1, 8, 8), vs.RGBS)
    with pytest.raises(vs.Error, match="num_streams"):
        mlrt.ORT_CPU(fp16=False).inference(clip, model, num_streams=65).get_frame(0)
    out = mlrt.ORT_CPU().inference(clip, model, fp16=False)  # kwargs win: float32 out
    assert out.format.id == vs.RGBS.value


def test_another_plugin_holding_ort_is_a_clear_error(core, monkeypatch):
    from mlrt import _vapoursynth
    mlrt.ORT_CPU.plugin  # mlrt's plugin loaded
    monkeypatch.setattr(_vapoursynth, "IDENTIFIER", "some.other.ort")
    with pytest.raises(RuntimeError, match=r"'ort' namespace is held by another plugin "
                                           r"\(io\.github\.mlrt\.ort"):
        _vapoursynth.plugin(core)


def test_a_reference_style_script(tmp_path, make_model):
    model = make_model("conv", 3, 3, 2, 1)
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(f"""
        import numpy as np
        import vapoursynth as vs
        from vapoursynth import core
        from mlrt import Backend

        assert not hasattr(core, "ort")
        # Content that varies across the frame and between frames: a misplaced tile shows.
        blank = core.std.BlankClip(width=64, height=48, format=vs.RGBS, length=3)
        data = np.random.default_rng(1).random((3, 3, 48, 64), dtype=np.float32)

        def fill(n, f):
            f = f.copy()
            for p in range(3):
                np.asarray(f[p])[:] = data[n, p]
            return f
        clip = blank.std.ModifyFrame(blank, fill)
        w, h = 32, 24
        out = Backend.ORT_CPU(fp16=False).inference(clip, {str(model)!r}, overlap=(4, 4),
                                                    tilesize=(w, h))
        whole = Backend.ORT_CPU(fp16=False).inference(clip, {str(model)!r})
        f, g = out.get_frame(2), whole.get_frame(2)
        assert np.asarray(clip.get_frame(2)[0]).std() > 0.1
        for p in range(3):
            np.testing.assert_allclose(np.asarray(f[p]), np.asarray(g[p]), atol=1e-5)
        print(out.format.name, out.width, out.height, out.num_frames)
    """))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(PACKAGE_DIR), *filter(None, [os.environ.get("PYTHONPATH")])]))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RGBS", "64", "48", "3"]
