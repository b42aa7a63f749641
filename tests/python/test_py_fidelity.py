"""Fidelity: every Python face feeds a model the planes VapourSynth's own conversion gives, proven
with a non-linear model (biases and ReLU: its output changes when its input is offset or scaled)
against the engine on planes computed here, in NumPy, from the source samples with the formulas
written out. Integer clips and integer arrays follow one rule: unmarked RGB is full range,
unmarked GRAY and YUV limited; a clip's _ColorRange, an array's color_range, say otherwise."""
import numpy as np
import pytest

from conftest import mlrt, vs


def to_float(code, bits, chroma, full):
    """VapourSynth's integer -> float, written out."""
    code = code.astype(np.float64)
    if full:
        return (code - (2 ** (bits - 1) if chroma else 0)) / (2 ** bits - 1)
    unit = 2 ** (bits - 8)
    return (code - 128 * unit) / (224 * unit) if chroma else (code - 16 * unit) / (219 * unit)


def to_code(value, bits, full):
    """Luma float -> integer: rounded, clamped only to the code range (overshoot survives)."""
    unit = 2 ** (bits - 8)
    code = value * (2 ** bits - 1) if full else value * 219 * unit + 16 * unit
    return np.clip(np.rint(code), 0, 2 ** bits - 1)


def samples(shape, bits, seed):
    """Integer samples over the whole code range: beyond the nominal range too."""
    return np.random.default_rng(seed).integers(0, 2 ** bits, size=shape).astype(
        np.uint8 if bits == 8 else np.uint16)


@pytest.fixture()
def nonlinear(make_model):
    return {1: make_model("conv", 1, 1, 2, 1, 7, 8), 3: make_model("conv", 3, 3, 2, 1, 7, 8)}


@pytest.mark.parametrize("bits", [8, 10, 16])
@pytest.mark.parametrize("family, marked", [("gray", None), ("gray", "full"), ("yuv", None),
                                            ("yuv", "limited"), ("yuv", "full"),
                                            ("rgb", None), ("rgb", "limited")])
def test_integer_arrays(nonlinear, run_raw, bits, family, marked):
    planes = 1 if family == "gray" else 3
    x = samples((planes, 10, 14), bits, seed=bits)
    full = marked == "full" or (marked is None and family == "rgb")
    want_in = np.stack([to_float(x[p], bits, family == "yuv" and p > 0, full)
                        for p in range(planes)])
    want = run_raw(nonlinear[planes], want_in.astype(np.float32)).reshape(planes, 10, 14)
    got = mlrt.ORT_CPU(fp16=False).inference(x, nonlinear[planes], color_family=family,
                                             color_range=marked, bits_per_sample=bits)
    np.testing.assert_allclose(got, want, atol=1e-5)
    # The other range gives something else: this comparison can fail.
    other = "limited" if full else "full"
    wrong = mlrt.ORT_CPU(fp16=False).inference(x, nonlinear[planes], color_family=family,
                                               color_range=other, bits_per_sample=bits)
    assert np.abs(wrong - want).max() > 1e-3


@pytest.mark.vapoursynth
class TestVapourSynth:
    """The same rule through VapourSynth: its conversion, mlrt.inference() on clips, the plugin."""

    @staticmethod
    def clip(data, fmt, color_range=None):
        core = vs.core
        frames, _, h, w = data.shape
        blank = core.std.BlankClip(width=w, height=h, format=fmt, length=frames)

        def fill(n, f):
            out = f.copy()
            for p in range(out.format.num_planes):
                np.asarray(out[p])[:] = data[n, p]
            return out
        c = blank.std.ModifyFrame(blank, fill)
        return c if color_range is None else c.std.SetFrameProps(_ColorRange=color_range)

    @staticmethod
    def planes(frame):
        return np.stack([np.asarray(frame[p]) for p in range(frame.format.num_planes)])

    @pytest.mark.parametrize("fmt, bits", [("GRAY8", 8), ("GRAY10", 10), ("YUV444P8", 8),
                                           ("YUV444P10", 10), ("RGB24", 8), ("RGB30", 10)])
    @pytest.mark.parametrize("prop", [None, 0, 1])
    def test_clips_and_arrays_follow_one_rule(self, nonlinear, run_raw, fmt, bits, prop):
        fmt = vs.core.get_video_format(getattr(vs, fmt))
        n = fmt.num_planes
        x = samples((1, n, 10, 14), bits, seed=bits + n)
        clip = self.clip(x, fmt, prop)
        family = {vs.GRAY: "gray", vs.YUV: "yuv", vs.RGB: "rgb"}[fmt.color_family]
        full = prop == 0 or (prop is None and family == "rgb")
        formula = np.stack([to_float(x[0, p], bits, family == "yuv" and p > 0, full)
                            for p in range(n)]).astype(np.float32)
        # VapourSynth's own conversion is the formulas.
        float_fmt = fmt.replace(sample_type=vs.FLOAT, bits_per_sample=32)
        vs_planes = self.planes(clip.resize.Point(format=float_fmt).get_frame(0))
        np.testing.assert_allclose(vs_planes, formula, atol=1e-6)
        want = run_raw(nonlinear[n], formula).reshape(n, 10, 14)
        b = mlrt.ORT_CPU(fp16=False)
        on_clip = self.planes(b.inference(clip, nonlinear[n]).get_frame(0))
        on_array = b.inference(x[0], nonlinear[n], color_family=family, bits_per_sample=bits,
                               color_range=None if prop is None else mlrt.ColorRange(prop))
        np.testing.assert_allclose(on_clip, want, atol=1e-5)
        np.testing.assert_allclose(on_array, want, atol=1e-5)

    @pytest.mark.parametrize("bits", [8, 10])
    @pytest.mark.parametrize("prop", [None, 0])
    def test_plugin_luma_model_gives_plain_ort_on_the_conventions_y(self, nonlinear, run_raw,
                                                                     bits, prop):
        # A luma model in a script: Y of a 4:2:0 clip, to float and back by VapourSynth, the
        # model by the plugin. Limited range: (Y - 16) / 219 in, x 219 + 16 out.
        core = vs.core
        h, w = 12, 16
        yuv = core.get_video_format(vs.YUV420P8 if bits == 8 else vs.YUV420P10)
        data = np.zeros((1, 3, h, w), dtype=np.uint16)
        data[0, 0] = samples((h, w), bits, seed=11)
        clip = self.clip(data[:, :1], core.get_video_format(vs.GRAY8 if bits == 8 else vs.GRAY10),
                         prop)
        y = clip.resize.Point(format=vs.GRAYS)
        out = core.ort.Model([y], network_path=str(nonlinear[1]), fp16=False)
        # No range argument: the plugin's output keeps the frames' _ColorRange, which VapourSynth
        # then honours (its `range` argument counts the other way: 0 limited, 1 full).
        back = out.resize.Point(format=clip.format)
        got = self.planes(back.get_frame(0))[0].astype(np.float64)
        full = prop == 0
        model_out = run_raw(nonlinear[1],
                            to_float(data[0, :1], bits, False, full).astype(np.float32))
        want = to_code(model_out.reshape(h, w), bits, full)
        assert np.abs(got - want).max() <= 1
        assert yuv.bits_per_sample == bits

    def test_clip_with_a_bad_range_property_is_refused(self, nonlinear):
        clip = self.clip(samples((1, 1, 4, 4), 8, 0), vs.GRAY8, 5)
        with pytest.raises(vs.Error, match="_ColorRange"):
            mlrt.ORT_CPU(fp16=False).inference(clip, nonlinear[1]).get_frame(0)

    def test_color_arguments_are_for_arrays(self, nonlinear):
        clip = self.clip(samples((1, 1, 4, 4), 8, 0), vs.GRAY8)
        with pytest.raises(ValueError, match="color_family, color_range and bits_per_sample are "
                                             "for numpy arrays"):
            mlrt.ORT_CPU(fp16=False).inference(clip, nonlinear[1], color_range="full")
