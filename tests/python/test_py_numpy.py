"""inference() on numpy arrays through the C++ engine: equal to the engine run directly, tiling,
precision, flexible output, several clips, concurrency, and every error as ValueError/RuntimeError
with the library's message."""
import concurrent.futures
import threading
import time

import numpy as np
import pytest

from conftest import mlrt


def test_equals_the_cpp_engine(make_model, run_raw, frames):
    model = make_model("conv", 3, 3, 2, 2)
    x = frames(3, 24, 40)
    out = mlrt.ORT_CPU(fp16=False).inference(x, model)
    assert out.shape == (3, 48, 80) and out.dtype == np.float32
    np.testing.assert_array_equal(out, run_raw(model, x).reshape(3, 48, 80))


def test_tiled_equals_the_cpp_engine_tiled(make_model, run_raw, frames):
    model = make_model("conv", 3, 3, 2, 2)
    x = frames(3, 24, 40, seed=1)
    out = mlrt.ORT_CPU(fp16=False).inference(x, str(model), overlap=(4, 2), tilesize=(20, 12))
    np.testing.assert_array_equal(out, run_raw(model, x, 20, 12, 4, 2).reshape(3, 48, 80))


def test_tiled_equals_untiled(make_model, frames):
    model = make_model("conv", 3, 3, 3, 1)  # receptive-field radius 3
    x = frames(3, 37, 45, seed=2)
    b = mlrt.ORT_CPU(fp16=False)
    whole = b.inference(x, model)
    for overlap, tilesize in (((3, 3), (16, 16)), (4, 20), ((3, 5), (23, 17))):
        tiled = b.inference(x, model, overlap=overlap, tilesize=tilesize)
        np.testing.assert_allclose(tiled, whole, atol=1e-5, err_msg=f"{overlap} {tilesize}")


def test_fp16_default_gives_float16_output(make_model, frames):
    model = make_model("conv", 3, 3, 1, 1)
    x = frames(3, 16, 16)
    exact = mlrt.ORT_CPU(fp16=False).inference(x, model)
    half = mlrt.ORT_CPU().inference(x, model)  # fp16=True: the model converted by mlrt
    assert half.dtype == np.float16
    np.testing.assert_allclose(half.astype(np.float32), exact, atol=2e-2)
    fp32_out = mlrt.ORT_CPU(output_format=mlrt.ORT.OutputFormat.FP32).inference(x, model)
    assert fp32_out.dtype == np.float32
    np.testing.assert_allclose(fp32_out, exact, atol=2e-2)


def test_float16_input(make_model, frames):
    model = make_model("identity", 3)
    x = frames(3, 8, 8).astype(np.float16)
    out = mlrt.ORT_CPU().inference(x, model)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out, x)


def test_integer_rgb_arrays_are_full_range(make_model):
    model = make_model("identity", 3)
    x = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    out = mlrt.ORT_CPU(fp16=False).inference(x, model)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x / 255.0, rtol=1e-6)
    x16 = (np.arange(3 * 4 * 5, dtype=np.uint16) * 1000).reshape(3, 4, 5)
    out16 = mlrt.ORT_CPU().inference(x16, model)  # fp16 on: float16
    assert out16.dtype == np.float16
    np.testing.assert_allclose(out16.astype(np.float32), x16 / 65535.0, atol=1e-3)


# VapourSynth's conversion of integer GRAY/YUV to float, written out: limited range expands
# 16..235 (luma) and 16..240 (chroma, around 128), scaled to the depth; full range divides by
# 2^bits - 1 (chroma around 2^(bits - 1)).
def limited_luma(code, bits):
    unit = 2 ** (bits - 8)
    return (code.astype(np.float64) - 16 * unit) / (219 * unit)


def limited_chroma(code, bits):
    unit = 2 ** (bits - 8)
    return (code.astype(np.float64) - 128 * unit) / (224 * unit)


def full_chroma(code, bits):
    return (code.astype(np.float64) - 2 ** (bits - 1)) / (2 ** bits - 1)


@pytest.mark.parametrize("dtype, bits", [(np.uint8, 8), (np.uint16, 16)])
def test_integer_gray_and_yuv_arrays_follow_vapoursynths_convention(make_model, run_raw, dtype,
                                                                     bits):
    # A non-linear model with biases: its output changes when the planes are offset or scaled.
    model = make_model("conv", 3, 3, 2, 1, 7, 8)
    gray_model = make_model("conv", 1, 1, 2, 1, 7, 8)
    rng = np.random.default_rng(3)
    top = 2 ** bits
    x = rng.integers(0, top, size=(3, 12, 20)).astype(dtype)
    b = mlrt.ORT_CPU(fp16=False)
    cases = {
        # (family, range) -> the planes VapourSynth's resize to float gives
        ("yuv", None): [limited_luma(x[0], bits), limited_chroma(x[1], bits),
                        limited_chroma(x[2], bits)],
        ("yuv", "limited"): [limited_luma(x[0], bits), limited_chroma(x[1], bits),
                             limited_chroma(x[2], bits)],
        (mlrt.ColorFamily.YUV, mlrt.ColorRange.FULL): [x[0] / (top - 1.0), full_chroma(x[1], bits),
                                                       full_chroma(x[2], bits)],
    }
    results = {}
    for (family, rng_), planes in cases.items():
        want = run_raw(model, np.stack(planes).astype(np.float32)).reshape(3, 12, 20)
        got = b.inference(x, model, color_family=family, color_range=rng_)
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=f"{family} {rng_}")
        results[(family, rng_)] = got
    # The model tells the ranges apart, so the comparison above can fail.
    assert np.abs(results[("yuv", None)] - results[(mlrt.ColorFamily.YUV,
                                                    mlrt.ColorRange.FULL)]).max() > 1e-3
    # One plane: GRAY, limited unless said full.
    y = x[:1]
    for rng_, planes in ((None, limited_luma(y, bits)), ("full", y / (top - 1.0))):
        want = run_raw(gray_model, planes.astype(np.float32)).reshape(1, 12, 20)
        got = b.inference(y, gray_model, color_range=rng_)
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=str(rng_))


def test_overshoot_in_integer_arrays_reaches_the_model(make_model):
    # Limited-range codes beyond 235 and below 16 give values beyond [0, 1], not clipped ones.
    x = np.array([[[0, 16, 235, 255]]], dtype=np.uint8)
    out = mlrt.ORT_CPU(fp16=False).inference(x, make_model("identity", 1))
    np.testing.assert_allclose(out[0, 0], [-16 / 219, 0, 1, 239 / 219], rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"color_range": "studio"},
     r"^inference: color_range must be mlrt\.ColorRange\.FULL or LIMITED \(or 'full', 'limited'\), "
     r"got 'studio'$"),
    ({"color_family": 7}, r"^inference: color_family must be mlrt\.ColorFamily\.GRAY, RGB or YUV"),
    ({"color_family": "gray"}, r"^inference: clips\[0\] has 3 plane\(s\) but color_family=GRAY has 1$"),
    ({"bits_per_sample": 9}, r"^inference: bits_per_sample must be an int from 8 to 8 for clips\[0\] "
                             r"\(uint8\), got 9$"),
])
def test_bad_color_arguments_are_named(make_model, kwargs, message):
    x = np.zeros((3, 4, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match=message):
        mlrt.ORT_CPU(fp16=False).inference(x, make_model("identity", 3), **kwargs)


def test_samples_beyond_the_depth_given_are_refused(make_model):
    x = np.full((1, 4, 4), 1023, dtype=np.uint16)
    x[0, 0, 0] = 1024
    with pytest.raises(ValueError, match=r"^inference: clips\[0\] has a sample of 1024, more than "
                                         r"10-bit samples hold \(1023\): is bits_per_sample=10 "
                                         r"right\?$"):
        mlrt.ORT_CPU(fp16=False).inference(x, make_model("identity", 1), bits_per_sample=10)


def test_color_arguments_are_refused_where_they_mean_nothing(make_model, frames):
    with pytest.raises(ValueError, match=r"^inference: color_family, color_range and "
                                         r"bits_per_sample describe integer arrays; float arrays "
                                         r"are taken as they are$"):
        mlrt.ORT_CPU(fp16=False).inference(frames(3, 4, 4), make_model("identity", 3),
                                           color_range="full")
    with pytest.raises(ValueError, match=r"integer array of 2 planes: integer arrays are GRAY"):
        mlrt.ORT_CPU(fp16=False).inference(np.zeros((2, 4, 4), np.uint8),
                                           make_model("identity", 2))


def test_several_clips_are_concatenated_along_channels(make_model, frames, run_raw):
    model = make_model("conv", 3, 3, 1, 1)
    x = frames(3, 12, 20, seed=4)
    b = mlrt.ORT_CPU(fp16=False)
    out = b.inference([x[:1], x[1:]], model)
    np.testing.assert_array_equal(out, b.inference(x, model))
    np.testing.assert_array_equal(out, run_raw(model, x).reshape(3, 12, 20))


def test_flexible_returns_one_plane_per_output(make_model, frames):
    model = make_model("split", 3, 5)
    x = frames(3, 10, 12)
    b = mlrt.ORT_CPU(fp16=False)
    planes = b.inference(x, model, flexible=True)
    assert isinstance(planes, list) and len(planes) == 5
    assert all(p.shape == (10, 12) and p.dtype == np.float32 for p in planes)
    with pytest.raises(ValueError):  # 5 channels is no RGB/GRAY output without flexible
        b.inference(x, model)


def test_kwargs_win_over_get_args(make_model, frames):
    model = make_model("conv", 3, 3, 1, 1)
    x = frames(3, 8, 8)
    out = mlrt.ORT_CPU().inference(x, model, fp16=False)  # the backend's fp16 overridden
    assert out.dtype == np.float32
    out = mlrt.ORT_CPU(fp16=False).inference(x, model, tile_mode="balanced", tilesize=(8, 8))
    assert out.shape == (3, 8, 8)


def test_non_contiguous_and_byte_swapped_arrays(make_model, frames):
    model = make_model("identity", 3)
    x = frames(3, 8, 10)
    b = mlrt.ORT_CPU(fp16=False)
    np.testing.assert_array_equal(b.inference(x[:, ::-1, :], model), x[:, ::-1, :])
    np.testing.assert_array_equal(b.inference(np.asfortranarray(x), model), x)
    np.testing.assert_array_equal(b.inference(x.astype(">f4"), model), x)


def test_concurrent_python_threads(make_model, frames):
    model = make_model("conv", 3, 3, 2, 1)
    b = mlrt.ORT_CPU(fp16=False, num_streams=2)
    inputs = [frames(3, 32, 32, seed=s) for s in range(12)]
    expected = [b.inference(x, model) for x in inputs]
    # The first four calls wait for each other, so four threads provably call into one backend
    # at once (the pool has four threads and each holds its task until all four arrive).
    start = threading.Barrier(4)

    def work(i):
        if i < 4:
            start.wait(timeout=60)
        return b.inference(inputs[i], model, overlap=2, tilesize=16)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(len(inputs))))
    for got, want in zip(results, expected):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_inference_releases_the_gil(make_model, frames):
    # While the main thread is inside one engine run, another thread keeps running Python: the
    # longest pause between its steps is far shorter than the run (holding the GIL, it would be
    # the whole run).
    model = make_model("conv", 3, 3, 4, 1)
    b = mlrt.ORT_CPU(fp16=False)
    x = frames(3, 768, 768)
    b.inference(x, model)  # build (and cache) the engine first
    stamps, done = [], threading.Event()

    def spin():
        while not done.is_set():
            stamps.append(time.perf_counter())

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.01)
        start = time.perf_counter()
        b.inference(x, model)
        end = time.perf_counter()
    finally:
        done.set()
        t.join()
    inside = [s for s in stamps if start <= s <= end]
    gaps = np.diff([start, *inside, end])
    assert end - start > 0.02, "the run is too short to tell"
    assert gaps.max() < 0.5 * (end - start), (gaps.max(), end - start)


def test_engines_are_cached_per_model_and_geometry(make_model, frames):
    from mlrt import _numpy
    model = make_model("identity", 3)
    b = mlrt.ORT_CPU(fp16=False)
    _numpy.clear_cache()
    b.inference(frames(3, 8, 8), model)
    b.inference(frames(3, 8, 8, seed=1), model)
    assert len(_numpy._cache) == 1
    b.inference(frames(3, 8, 12), model)
    mlrt.ORT_CPU(fp16=False, num_streams=2).inference(frames(3, 8, 8), model)
    assert len(_numpy._cache) == 3


def test_rewritten_model_file_is_a_new_engine(tmp_path, make_model, frames):
    import shutil
    import os
    path = tmp_path / "m.onnx"
    shutil.copy(make_model("conv", 3, 3, 1, 1, 1), path)
    b = mlrt.ORT_CPU(fp16=False)
    x = frames(3, 8, 8)
    first = b.inference(x, path)
    shutil.copy(make_model("conv", 3, 3, 1, 1, 7), path)  # another seed: other weights
    os.utime(path, ns=(1, 1))
    assert not np.array_equal(b.inference(x, path), first)


def test_model_bytes_with_path_is_serialization(make_model, frames):
    model = make_model("identity", 3)
    x = frames(3, 6, 6)
    out = mlrt.ORT_CPU(fp16=False).inference(x, model.read_bytes(), path_is_serialization=True)
    np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("call, exc, message", [
    (lambda b, m, x: b.inference(x, m.parent / "missing.onnx"), ValueError,
     r"cannot open model file '.*missing\.onnx'"),
    (lambda b, m, x: b.inference(x[:2], m), ValueError, r"channel|plane"),
    (lambda b, m, x: b.inference(x[0], m), ValueError,
     r"^inference: clips\[0\] must be an array \(C, H, W\), got shape \(8, 8\)$"),
    (lambda b, m, x: b.inference(x.astype(np.int32), m), ValueError,
     r"^inference: clips\[0\] must be float32, float16, uint8 or uint16, got int32$"),
    (lambda b, m, x: b.inference([x[:1], x[1:, :4]], m), ValueError,
     r"^inference: clips\[1\] must have shape \(2, 8, 8\), got \(2, 4, 8\)$"),
    (lambda b, m, x: b.inference([x[:1], x[1:].astype(np.float16)], m), ValueError,
     r"^inference: clips\[1\] must be float32, got float16$"),
    (lambda b, m, x: b.inference(x, m, overlap=(2, 2)), ValueError,
     r"^ort\.Model: argument 'tilesize' must be given when overlap is not 0$"),
    (lambda b, m, x: b.inference(x, m, overlap=(4, 4), tilesize=(8, 8)), ValueError,
     r"^ort\.Model: argument 'overlap' is too large for tilesize"),
    (lambda b, m, x: b.inference(x, m, tilesize=(1, 2, 3)), ValueError,
     r"^ort\.Model: argument 'tilesize' must have 1 or 2 values"),
    (lambda b, m, x: b.inference(x, m, no_such_arg=1), ValueError,
     r"^ort\.Model: argument 'no_such_arg' is not known"),
    (lambda b, m, x: b.inference(x, m, num_streams=65), ValueError,
     r"^ort\.Model: argument 'num_streams' must be in 1\.\.64, got 65$"),
    (lambda b, m, x: b.inference(x, m, tile_mode="zigzag"), ValueError,
     r"^ort\.Model: argument 'tile_mode' must be 'literal' or 'balanced'"),
    (lambda b, m, x: b.inference([], m), ValueError,
     r"^inference: argument 'clips' must hold at least one clip$"),
    (lambda b, m, x: b.inference([x, "frame"], m), ValueError,
     r"^inference: argument 'clips' must be numpy arrays \(C, H, W\) or VapourSynth clips, "
     r"got list holding str$"),
    (lambda b, m, x: b.inference(x.tolist(), m), ValueError,
     r"^inference: argument 'clips' must be numpy arrays \(C, H, W\) or VapourSynth clips, "
     r"got list holding list$"),
])
def test_errors_carry_the_library_message(make_model, frames, call, exc, message):
    model = make_model("identity", 3)
    with pytest.raises(exc, match=message):
        call(mlrt.ORT_CPU(fp16=False), model, frames(3, 8, 8))


def test_a_provider_that_does_not_load_is_a_runtime_error(make_model, frames):
    if "DML" in mlrt.loadable_providers():
        pytest.skip("DirectML loads here")
    with pytest.raises(RuntimeError) as info:
        mlrt.ORT_DML(fp16=False).inference(frames(3, 8, 8), make_model("identity", 3))
    assert "DML" in str(info.value)
    assert info.value.mlrt_kind == "provider"


def test_bad_model_is_a_value_error(tmp_path, frames):
    path = tmp_path / "junk.onnx"
    path.write_bytes(b"not an onnx model")
    with pytest.raises(ValueError) as info:
        mlrt.ORT_CPU(fp16=False).inference(frames(3, 8, 8), path)
    assert "junk.onnx" in str(info.value)
    assert info.value.mlrt_kind in ("invalid model", "i/o")


def test_channel_count_errors_say_how_arrays_are_read(make_model):
    model = make_model("conv", 3, 3, 2, 1)
    with pytest.raises(ValueError, match=r"30 planes in total \(arrays are read as \(C, H, W\); "
                                         r"got \(30, 40, 3\), which looks like \(H, W, C\): pass "
                                         r"a.transpose\(2, 0, 1\)\)"):
        mlrt.ORT_CPU(fp16=False).inference(np.zeros((30, 40, 3), np.float32), model)
    with pytest.raises(ValueError, match=r"2 planes in total \(a list of arrays is read as clips "
                                         r"whose planes are concatenated along C"):
        mlrt.ORT_CPU(fp16=False).inference([np.zeros((1, 30, 40), np.float32)] * 2, model)
