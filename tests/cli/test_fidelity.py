"""Fidelity on the command line: a luma model gets Y in VapourSynth's float convention and its
output goes back the same way, at 8 and 10 bits, limited and full range, 4:2:0, 4:2:2, 4:4:4 and
GRAY sources. The sources are made here from known random samples over the whole code range
(beyond the nominal range too); the expected output is the engine on planes computed in NumPy
with the formulas written out below, written back rounded and clamped only to the code range. The
model (biases, ReLU) changes its output when its input is offset or scaled, so a wrong range or
scale cannot pass."""
import numpy as np
import pytest

from helpers import ffmpeg, mlrt, probe, raw_frames, video_stream
from test_workloads import engine_run, model, tools  # noqa: F401 (model, tools: fixtures)

W, H, FRAMES = 32, 24, 2
SUBSAMPLING = {"420": (1, 1), "422": (1, 0), "444": (0, 0), "gray": None}


def to_float(code, bits, full):
    """Luma (Y or GRAY) code -> float, VapourSynth's convention."""
    code = code.astype(np.float64)
    if full:
        return code / (2 ** bits - 1)
    unit = 2 ** (bits - 8)
    return (code - 16 * unit) / (219 * unit)


def to_code(value, bits, full):
    unit = 2 ** (bits - 8)
    code = value * (2 ** bits - 1) if full else value * 219 * unit + 16 * unit
    return np.clip(np.rint(code), 0, 2 ** bits - 1)


def pix_fmt_of(layout, bits):
    base = "gray" if layout == "gray" else f"yuv{layout}p"
    return base if bits == 8 else base + ("10le" if bits == 10 else "16le")


def planes_of(raw, layout, bits, w, h):
    """Frames of raw samples -> list of (Y, [U, V]) arrays."""
    dtype = np.uint8 if bits == 8 else np.uint16
    data = np.frombuffer(raw.tobytes(), dtype=dtype)
    sub = SUBSAMPLING[layout]
    cw, ch = (w, h) if sub is None else ((w + sub[0]) >> sub[0], (h + sub[1]) >> sub[1])
    per = w * h + (0 if sub is None else 2 * cw * ch)
    frames = data.reshape(-1, per)
    return [(f[:w * h].reshape(h, w), f[w * h:]) for f in frames]


def make_source(path, layout, bits, full, seed=0, frames=FRAMES, alpha=False, tag=True):
    """A clip of random samples over every code, as FFV1; returns the Y planes (F, H, W) (and
    the alpha planes with `alpha`: a yuva format)."""
    rng = np.random.default_rng(seed)
    dtype = np.uint8 if bits == 8 else np.uint16
    sub = SUBSAMPLING[layout]
    raw = []
    ys, alphas = [], []
    for _ in range(frames):
        y = rng.integers(0, 2 ** bits, size=(H, W)).astype(dtype)
        ys.append(y)
        raw.append(y.tobytes())
        if sub is not None:
            cw, ch = W >> sub[0], H >> sub[1]
            raw.append(rng.integers(0, 2 ** bits, size=(2, ch, cw)).astype(dtype).tobytes())
        if alpha:
            alphas.append(rng.integers(0, 2 ** bits, size=(H, W)).astype(dtype))
            raw.append(alphas[-1].tobytes())
    src = path.with_suffix(".raw")
    src.write_bytes(b"".join(raw))
    pix_fmt = pix_fmt_of(layout, bits).replace("yuv", "yuva") if alpha else pix_fmt_of(layout, bits)
    tags = ["-color_range", "pc" if full else "tv", "-colorspace", "bt709"] if tag else []
    ffmpeg("-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{W}x{H}", "-r", "10", *tags, "-i", src,
           *(["-c:v", "ffv1"] if path.suffix == ".mkv" else []), *tags, path)
    return (np.stack(ys), np.stack(alphas)) if alpha else np.stack(ys)


@pytest.fixture()
def luma_models(model):
    return {s: model(f"fidelity_luma_x{s}", "conv", 1, 1, 2, s, 7, 8) for s in (1, 2)}


@pytest.mark.parametrize("bits", [8, 10])
@pytest.mark.parametrize("full", [False, True], ids=["limited", "full"])
@pytest.mark.parametrize("layout, scale", [("420", 1), ("422", 1), ("444", 1), ("gray", 1),
                                           ("420", 2)])
def test_luma_model_gets_the_conventions_y(luma_models, tmp_path, bits, full, layout, scale):
    src = tmp_path / "in.mkv"
    y = make_source(src, layout, bits, full)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", luma_models[scale], src, out, "--dither", "none")
    s = video_stream(probe(out))
    assert s["pix_fmt"] == pix_fmt_of(layout, bits)
    assert s.get("color_range") == ("pc" if full else "tv")
    got = planes_of(raw_frames(out, s["pix_fmt"]), layout, bits, scale * W, scale * H)
    for n in range(FRAMES):
        model_out = engine_run(luma_models[scale], to_float(y[n], bits, full)[None], tmp_path)
        want = to_code(model_out.reshape(scale * H, scale * W), bits, full)
        diff = np.abs(got[n][0].astype(np.float64) - want)
        assert diff.max() <= 1, f"frame {n}: max difference {diff.max()} code values"
    # The other range would have given another output: the comparison above can fail.
    other = to_code(engine_run(luma_models[scale], to_float(y[0], bits, not full)[None],
                               tmp_path).reshape(scale * H, scale * W), bits, full)
    assert np.abs(got[0][0].astype(np.float64) - other).max() > 2


@pytest.mark.parametrize("bits", [8, 10])
def test_gray_flag_writes_the_conventions_luma(luma_models, tmp_path, bits):
    # Video keeps the source's range (the luma's own codes, as VapourSynth writes Y back); an
    # image, which has no range tag, is full range.
    src = tmp_path / "in.mkv"
    y = make_source(src, "420", bits, full=False, seed=3)
    for name, full in (("gray.mkv", False), ("gray.png", True)):
        out = tmp_path / name
        mlrt("run", "-q", luma_models[2], src, out, "--gray", "--dither", "none", "--frames", "0:1")
        s = video_stream(probe(out))
        assert s["pix_fmt"].startswith("gray"), s["pix_fmt"]
        if not full:
            assert s["pix_fmt"] == pix_fmt_of("gray", bits) and s.get("color_range") == "tv"
        out_bits = 8 if s["pix_fmt"] == "gray" else 16 if s["pix_fmt"].startswith("gray16") else bits
        raw = raw_frames(out, "gray16le" if out_bits == 16 else s["pix_fmt"])  # PNG: gray16be
        got = planes_of(raw, "gray", out_bits, 2 * W, 2 * H)
        model_out = engine_run(luma_models[2], to_float(y[0], bits, False)[None], tmp_path)
        want = to_code(model_out.reshape(2 * H, 2 * W), out_bits, full)
        diff = np.abs(got[0][0].astype(np.float64) - want)
        assert diff.max() <= 1, f"{name}: max difference {diff.max()}"


def test_calibration_sees_the_planes_the_model_sees(luma_models, tmp_path):
    # int8 calibration records the range of the model's input: that of (Y - 16) / 219 here.
    src = tmp_path / "in.mkv"
    y = make_source(src, "420", 8, full=False, seed=5)
    cal = tmp_path / "cal.txt"
    mlrt("run", "-q", luma_models[1], src, tmp_path / "i8.mkv", "--int8", "--calibration", cal,
         "--calibrate", str(FRAMES))
    line = next(l for l in cal.read_text().splitlines() if l.startswith("range ") and
                l.endswith(" input"))
    lo, hi = map(float, line.split()[1:3])
    values = to_float(y, 8, False)
    # Percentiles 0.001..99.999 of the values: within the extremes, and near them.
    assert values.min() - 1e-6 <= lo <= np.percentile(values, 0.5) + 1e-6
    assert np.percentile(values, 99.5) - 1e-6 <= hi <= values.max() + 1e-6
    assert lo < -0.05 and hi > 1.05  # the undershoot and overshoot codes reached calibration


def test_luma_model_with_alpha(luma_models, tmp_path):
    src = tmp_path / "in.mkv"
    y, a = make_source(src, "420", 8, full=False, seed=7, alpha=True)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", luma_models[1], src, out, "--dither", "none")
    s = video_stream(probe(out))
    assert s["pix_fmt"] == "yuva420p" and s.get("color_range") == "tv"
    per = W * H + 2 * (W // 2) * (H // 2) + W * H
    frames = raw_frames(out, "yuva420p").reshape(-1, per)
    for n in range(FRAMES):
        model_out = engine_run(luma_models[1], to_float(y[n], 8, False)[None], tmp_path)
        want = to_code(model_out.reshape(H, W), 8, False)
        assert np.abs(frames[n, :W * H].reshape(H, W).astype(np.float64) - want).max() <= 1
        assert np.array_equal(frames[n, -W * H:].reshape(H, W), a[n])  # alpha: copied


@pytest.mark.parametrize("full", [False, True], ids=["limited", "full"])
def test_luma_window_feeds_each_frames_y(model, tmp_path, full):
    # Three frames' luma -> one, on a 10-bit GRAY source: frame n sees Y[n-1], Y[n], Y[n+1] in
    # the convention, the edges repeated.
    net = model("fidelity_window_luma", "conv", 3, 1, 2, 1, 9, 8)
    src = tmp_path / "in.mkv"
    y = make_source(src, "gray", 10, full, seed=9, frames=4)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", net, src, out, "--window", "3", "--dither", "none")
    s = video_stream(probe(out))
    assert s["pix_fmt"] == "gray10le" and s.get("color_range") == ("pc" if full else "tv")
    got = planes_of(raw_frames(out, "gray10le"), "gray", 10, W, H)
    assert len(got) == 4
    for n in range(4):
        window = np.stack([to_float(y[min(max(k, 0), 3)], 10, full) for k in (n - 1, n, n + 1)])
        want = to_code(engine_run(net, window, tmp_path).reshape(H, W), 10, full)
        diff = np.abs(got[n][0].astype(np.float64) - want)
        assert diff.max() <= 1, f"frame {n}: {diff.max()}"


@pytest.mark.parametrize("bits", [8, 10])
def test_untagged_gray_video_is_limited_range(luma_models, tmp_path, bits):
    # As VapourSynth reads it: integer GRAY with no range is limited (Y4M mono and FFV1 say none).
    for name in ("in.mkv", "in.y4m"):
        if name.endswith("y4m") and bits != 8:
            continue
        src = tmp_path / name
        y = make_source(src, "gray", bits, full=False, tag=False)
        assert video_stream(probe(src)).get("color_range", "unknown") == "unknown"
        out = tmp_path / f"out_{name}.mkv"
        mlrt("run", "-q", luma_models[1], src, out, "--dither", "none")
        assert video_stream(probe(out)).get("color_range") == "tv"
        got = planes_of(raw_frames(out, pix_fmt_of("gray", bits)), "gray", bits, W, H)
        want = to_code(engine_run(luma_models[1], to_float(y[0], bits, False)[None],
                                  tmp_path).reshape(H, W), bits, False)
        assert np.abs(got[0][0].astype(np.float64) - want).max() <= 1, name


def test_untagged_gray_image_is_full_range(luma_models, tmp_path):
    src = tmp_path / "in.pgm"
    y = make_source(src, "gray", 8, full=True, tag=False, frames=1)
    out = tmp_path / "out.png"
    mlrt("run", "-q", luma_models[1], src, out, "--dither", "none")
    got = planes_of(raw_frames(out, "gray"), "gray", 8, W, H)
    want = to_code(engine_run(luma_models[1], to_float(y[0], 8, True)[None],
                              tmp_path).reshape(H, W), 8, True)
    assert np.abs(got[0][0].astype(np.float64) - want).max() <= 1


@pytest.mark.parametrize("layout", ["420", "422"])
@pytest.mark.parametrize("alpha", ["resize", "drop"])
def test_subsampled_chroma_beside_alpha_is_copied_at_scale_1(luma_models, tmp_path, layout, alpha):
    # A luma model at scale 1 leaves the source's U and V as they are, alpha or not.
    src = tmp_path / "in.mkv"
    make_source(src, layout, 8, full=False, seed=4, alpha=True)
    out = tmp_path / "out.mkv"
    mlrt("run", "-q", luma_models[1], src, out, "--dither", "none", "--alpha", alpha)
    pix_fmt = f"yuva{layout}p" if alpha == "resize" else f"yuv{layout}p"
    assert video_stream(probe(out))["pix_fmt"] == pix_fmt
    sub = SUBSAMPLING[layout]
    chroma = 2 * (W >> sub[0]) * (H >> sub[1])
    a = raw_frames(src, f"yuva{layout}p").reshape(FRAMES, -1)[:, W * H:W * H + chroma]
    b = raw_frames(out, pix_fmt).reshape(FRAMES, -1)[:, W * H:W * H + chroma]
    assert np.array_equal(a, b)
