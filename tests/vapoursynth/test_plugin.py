"""ort.Model through VapourSynth: same results as the engine, upstream-compatible arguments,
parallel requests, flexible output, and errors as vs.Error."""
import concurrent.futures
import os
import pathlib
import subprocess

import numpy as np
import pytest

from conftest import RUN_RAW, vs


def rgb_clip(core, width=48, height=32, frames=6, fmt=None, seed=0):
    """Deterministic float RGB content that differs per frame."""
    fmt = fmt or vs.RGBS
    blank = core.std.BlankClip(width=width, height=height, format=fmt, length=frames)
    rng = np.random.default_rng(seed)
    data = rng.random((frames, 3, height, width), dtype=np.float32)

    def fill(n, f):
        out = f.copy()
        for p in range(out.format.num_planes):
            np.asarray(out[p])[:] = data[n, p].astype(np.asarray(out[p]).dtype)
        return out
    return blank.std.ModifyFrame(blank, fill), data


def run_raw(model, data, tmp_path, *tiling):
    """The engine run directly (no VapourSynth) on float32 planes (C, H, W): the reference."""
    c, h, w = data.shape
    raw_in, raw_out = tmp_path / "raw-in.f32", tmp_path / "raw-out.f32"
    np.ascontiguousarray(data, dtype=np.float32).tofile(raw_in)
    subprocess.run([str(RUN_RAW), str(model), str(w), str(h), str(c), str(raw_in), str(raw_out),
                    *map(str, tiling)], check=True)
    return np.fromfile(raw_out, dtype=np.float32)


def planes(frame):
    return np.stack([np.asarray(frame[p]).astype(np.float32) for p in range(frame.format.num_planes)])


def test_version_reports_runtime(core):
    v = core.ort.Version()
    assert v["version"]
    assert v["onnxruntime_version"]
    providers = v["providers"]
    if isinstance(providers, (str, bytes)):  # VapourSynth returns a one-element list as its element
        providers = [providers]
    assert "CPU" in [p.decode() if isinstance(p, bytes) else p for p in providers]


def test_output_equals_engine(core, make_model, tmp_path):
    model = make_model("conv", 3, 3, 3, 2)
    clip, data = rgb_clip(core, 40, 24, frames=2)
    out = core.ort.Model(clip, network_path=str(model), tilesize=[20, 16], overlap=[4, 4])
    assert (out.width, out.height) == (80, 48)
    assert out.format.id == vs.RGBS.value
    expected = run_raw(model, data[1], tmp_path, 20, 16, 4, 4).reshape(3, 48, 80)
    np.testing.assert_array_equal(planes(out.get_frame(1)), expected)


def test_tiled_matches_untiled(core, make_model):
    model = make_model("conv", 3, 3, 3, 4)
    clip, _ = rgb_clip(core, 45, 27, frames=1)
    whole = planes(core.ort.Model(clip, network_path=str(model)).get_frame(0))
    tiled = planes(core.ort.Model(clip, network_path=str(model), tilesize=16, overlap=3).get_frame(0))
    np.testing.assert_allclose(tiled, whole, atol=1e-5)


def test_single_and_list_forms(core, make_model):
    model = make_model("conv", 3, 3, 2, 1)
    clip, _ = rgb_clip(core, 32, 32, frames=1)
    a = planes(core.ort.Model(clip, network_path=str(model), tilesize=16, overlap=2).get_frame(0))
    b = planes(core.ort.Model([clip], network_path=str(model), tilesize=[16, 16], overlap=[2, 2]).get_frame(0))
    np.testing.assert_array_equal(a, b)


def test_every_argument_accepted(core, make_model):
    model = make_model("conv", 3, 3, 2, 1)
    clip, _ = rgb_clip(core, 32, 32, frames=1)
    out = core.ort.Model(
        clips=[clip], network_path=str(model), overlap=[2], tilesize=[16], provider="CPU", device_id=0,
        num_streams=2, verbosity=3, cudnn_benchmark=True, builtin=False, builtindir="models", fp16=False,
        path_is_serialization=False, use_cuda_graph=False, fp16_blacklist_ops=["Resize"], prefer_nhwc=False,
        output_format=0, tf32=False, ml_program=0)
    # Every argument spelled out at a value that changes nothing: the same frame as the defaults.
    plain = core.ort.Model(clip, network_path=str(model), overlap=2, tilesize=16, fp16=False)
    assert (out.width, out.height, out.format.id) == (32, 32, vs.RGBS.value)
    np.testing.assert_array_equal(planes(out.get_frame(0)), planes(plain.get_frame(0)))


def test_reference_get_args_script(core, make_model):
    """Keyword arguments exactly as the reference's ORT_CPU(fp16=False).get_args() produces them."""
    model = make_model("conv", 3, 3, 2, 2)
    clip, _ = rgb_clip(core, 32, 24, frames=2)
    args = dict(fp16=False, output_format=0, provider="CPU", num_streams=1, verbosity=2, fp16_blacklist_ops=None)
    args = {k: v for k, v in args.items() if v is not None}
    out = core.ort.Model([clip], network_path=str(model), overlap=(0, 0), tilesize=(32, 24), **args)
    assert out.width == 64 and out.num_frames == 2
    out.get_frame(1)


def test_path_is_serialization(core, make_model):
    model = make_model("conv", 3, 3, 2, 2)
    clip, _ = rgb_clip(core, 16, 16, frames=1)
    a = planes(core.ort.Model(clip, network_path=str(model)).get_frame(0))
    b = planes(core.ort.Model(clip, network_path=model.read_bytes(), path_is_serialization=True).get_frame(0))
    np.testing.assert_array_equal(a, b)


def test_builtin_models_next_to_plugin(core, make_model, plugin_path, tmp_path):
    # builtin=True resolves network_path under builtindir, itself relative to the plugin's folder.
    model = make_model("conv", 3, 3, 2, 1)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.onnx").write_bytes(model.read_bytes())
    clip, _ = rgb_clip(core, 16, 16, frames=1)
    direct = planes(core.ort.Model(clip, network_path=str(model)).get_frame(0))
    builtin = core.ort.Model(clip, network_path="sub/m.onnx", builtin=True, builtindir=str(tmp_path))
    np.testing.assert_array_equal(planes(builtin.get_frame(0)), direct)
    # The default builtindir is "models" next to the plugin, and a missing model names that path.
    expected = str(plugin_path.parent / "models" / "absent" / "none.onnx")
    with pytest.raises(vs.Error, match="Model: .*cannot open model file") as info:
        core.ort.Model(clip, network_path="absent/none.onnx", builtin=True)
    assert expected in str(info.value)


def test_flexible_output(core, make_model):
    model = make_model("split", 3, 5)
    clip, data = rgb_clip(core, 24, 16, frames=2)
    ret = core.ort.Model(clip, network_path=str(model), flexible_output_prop="plane")
    assert ret["num_planes"] == 5
    main = ret["clip"]
    for i in range(5):
        c = core.std.PropToClip(main, prop=f"plane{i}")
        assert c.format.color_family == vs.GRAY
        np.testing.assert_array_equal(np.asarray(c.get_frame(1)[0]), data[1, i % 3])


@pytest.mark.parametrize("streams", [1, 3])
def test_parallel_requests_identical(core, make_model, streams):
    model = make_model("conv", 3, 3, 3, 2)
    clip, _ = rgb_clip(core, 40, 32, frames=12)
    reference = core.ort.Model(clip, network_path=str(model), tilesize=24, overlap=4)
    expected = [planes(reference.get_frame(n)) for n in range(12)]
    out = core.ort.Model(clip, network_path=str(model), tilesize=24, overlap=4, num_streams=streams)
    frames = [out.get_frame_async(n) for n in range(12)]
    for n, fut in enumerate(frames):
        np.testing.assert_array_equal(planes(fut.result()), expected[n])
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda n: planes(out.get_frame(n)), range(12)))
    for n in range(12):
        np.testing.assert_array_equal(results[n], expected[n])


def test_half_precision_clips(core, make_model):
    model = make_model("identity16", 3)
    clip, data = rgb_clip(core, 16, 8, frames=1, fmt=vs.RGBH)
    out = core.ort.Model(clip, network_path=str(model))
    assert out.format.bits_per_sample == 16
    np.testing.assert_array_equal(planes(out.get_frame(0)), data[0].astype(np.float16).astype(np.float32))


def test_two_clips_and_yuv444(core, make_model, tmp_path):
    model = make_model("conv", 6, 3, 1, 1)
    a, _ = rgb_clip(core, 16, 16, frames=2)
    # Content that differs per frame and per plane: the wrong frame or plane of clip 1 shows.
    b, _ = rgb_clip(core, 16, 16, frames=2, fmt=vs.YUV444PS, seed=1)
    out = core.ort.Model([a, b], network_path=str(model))
    assert out.format.num_planes == 3
    # The two clips' planes are the model's 6 channels in order: the engine on those 6 planes.
    for n in range(2):
        six = np.concatenate([planes(a.get_frame(n)), planes(b.get_frame(n))])
        expected = run_raw(model, six, tmp_path).reshape(3, 16, 16)
        np.testing.assert_array_equal(planes(out.get_frame(n)), expected)
    swapped = np.concatenate([planes(b.get_frame(1)), planes(a.get_frame(1))])
    assert not np.array_equal(planes(out.get_frame(1)),
                              run_raw(model, swapped, tmp_path).reshape(3, 16, 16))


def test_frame_properties_from_first_clip(core, make_model):
    model = make_model("conv", 6, 3, 1, 1)
    first, _ = rgb_clip(core, 16, 16, frames=1)
    first = core.std.SetFrameProps(first, custom=42, _ColorRange=0)
    second, _ = rgb_clip(core, 16, 16, frames=1, seed=1)
    second = core.std.SetFrameProps(second, custom=7, other=1, _ColorRange=1)
    props = core.ort.Model([first, second], network_path=str(model)).get_frame(0).props
    assert props["custom"] == 42 and props["_ColorRange"] == 0
    assert "other" not in props


@pytest.mark.parametrize("case, match", [
    ("integer", "clip 0 is RGB24; only float clips"),
    ("subsampled", "clip 0 is YUV420PS, which is subsampled"),
    ("size", "clip 1 is 16x8 but clip 0 is 16x16"),
    ("frames", "clip 1 has 3 frames but clip 0 has 2"),
    ("overlap", "overlap"),
    ("provider", "provider"),
    ("bad_model", "not a valid ONNX model"),
    ("missing_model", "cannot open model file"),
    ("channels", "takes 3 channels, but the input clips have 1"),
    ("streams", "num_streams"),
])
def test_errors(core, make_model, tmp_path, case, match):
    model = str(make_model("identity", 3))
    rgb = core.std.BlankClip(width=16, height=16, format=vs.RGBS, length=2)
    calls = {
        "integer": lambda: core.ort.Model(core.std.BlankClip(format=vs.RGB24), network_path=model),
        # Built, not named: older VapourSynth (R65) has no YUV420PS preset.
        "subsampled": lambda: core.ort.Model(
            core.std.BlankClip(format=core.query_video_format(vs.YUV, vs.FLOAT, 32, 1, 1).id),
            network_path=model),
        "size": lambda: core.ort.Model([rgb, core.std.BlankClip(width=16, height=8, format=vs.GRAYS, length=2)],
                                       network_path=model),
        "frames": lambda: core.ort.Model([rgb, core.std.BlankClip(width=16, height=16, format=vs.GRAYS, length=3)],
                                         network_path=model),
        "overlap": lambda: core.ort.Model(rgb, network_path=model, tilesize=8, overlap=4),
        "provider": lambda: core.ort.Model(rgb, network_path=model, provider="TPU"),
        "bad_model": lambda: core.ort.Model(rgb, network_path=b"garbage", path_is_serialization=True),
        "missing_model": lambda: core.ort.Model(rgb, network_path=str(tmp_path / "nope.onnx")),
        "channels": lambda: core.ort.Model(core.std.BlankClip(width=16, height=16, format=vs.GRAYS),
                                           network_path=model),
        "streams": lambda: core.ort.Model(rgb, network_path=model, num_streams=0),
    }
    with pytest.raises(vs.Error, match=match) as info:
        calls[case]()
    assert str(info.value).startswith("Model: ")


WEBGPU_ICD = os.environ.get("MLRT_TEST_VK_ICD") or str(
    pathlib.Path(__file__).resolve().parents[2] / ".deps" / "lavapipe" / "lvp_icd.json")


@pytest.mark.skipif(not os.path.exists(WEBGPU_ICD),
                    reason=f"no software Vulkan device at {WEBGPU_ICD} (scripts/setup-lavapipe.sh)")
@pytest.mark.parametrize("spelling", ["WEBGPU", "WebGPU"])
def test_webgpu_provider_equals_the_cpu(core, make_model, monkeypatch, spelling):
    monkeypatch.setenv("VK_ICD_FILENAMES", WEBGPU_ICD)
    monkeypatch.setenv("MLRT_WEBGPU_ALLOW_SOFTWARE", "1")
    model = make_model("conv", 3, 3, 3, 2)
    clip, _ = rgb_clip(core, 40, 24, frames=2)
    cpu = core.ort.Model(clip, network_path=str(model), tilesize=[20, 16], overlap=[4, 4])
    gpu = core.ort.Model(clip, network_path=str(model), tilesize=[20, 16], overlap=[4, 4],
                         provider=spelling)
    assert np.abs(planes(gpu.get_frame(1)) - planes(cpu.get_frame(1))).max() < 1e-4
