"""The field's workloads through the plugin, as VapourSynth scripts run them: a luma doubler on
GRAY, a chroma model through flexible output (MlrtFlexible0/1) merged back beside the source's Y,
a DPIR-style strength plane, a RIFE-style pair and timestep, a window of frames, and alpha as gray.
Each output equals the engine run directly (mlrt_run_raw) on the same float planes."""
import numpy as np

from conftest import vs
from test_plugin import planes, rgb_clip, run_raw


def gray_clip(core, width, height, frames, seed=0):
    clip, data = rgb_clip(core, width, height, frames, fmt=vs.GRAYS, seed=seed)
    return clip, data[:, :1]


def constant(core, clip, value):
    return core.std.BlankClip(clip, format=vs.GRAYS, color=value)


def test_luma_doubler_on_gray(core, make_model, tmp_path):
    model = make_model("conv", 1, 1, 2, 2, 5, 8)  # DepthToSpace x2 (ArtCNN-style)
    clip, data = gray_clip(core, 24, 16, 2)
    out = core.ort.Model(clip, network_path=str(model))
    assert (out.width, out.height, out.format.id) == (48, 32, vs.GRAYS.value)
    np.testing.assert_array_equal(planes(out.get_frame(1)), run_raw(model, data[1], tmp_path).reshape(1, 32, 48))
    # Tiled equals untiled: two 3x3 layers see 2 pixels around, within the overlap.
    tiled = core.ort.Model(clip, network_path=str(model), tilesize=[12, 12], overlap=[2, 2])
    np.testing.assert_allclose(planes(tiled.get_frame(1)), planes(out.get_frame(1)), atol=1e-5)


def test_chroma_model_through_flexible_output(core, make_model, tmp_path):
    model = make_model("conv", 3, 2, 2, 1, 5, 8)  # Y, U, V -> U, V (ArtCNN R8F64_Chroma)
    clip, data = rgb_clip(core, 24, 16, 2, fmt=vs.YUV444PS)
    ret = core.ort.Model(clip, network_path=str(model), flexible_output_prop="MlrtFlexible")
    assert ret["num_planes"] == 2
    u, v = (core.std.PropToClip(ret["clip"], prop=f"MlrtFlexible{i}") for i in range(2))
    merged = core.std.ShufflePlanes([clip, u, v], planes=[0, 0, 0], colorfamily=vs.YUV)
    got = planes(merged.get_frame(1))
    np.testing.assert_array_equal(got[0], data[1, 0])  # the source's Y
    np.testing.assert_array_equal(got[1:], run_raw(model, data[1], tmp_path).reshape(2, 16, 24))


def test_strength_plane_on_a_size_that_is_not_a_multiple_of_8(core, make_model, tmp_path):
    model = make_model("unet", 4, 3)  # strided convolutions and ConvTranspose: mod 8
    clip, data = rgb_clip(core, 44, 30, 2)
    out = core.ort.Model([clip, constant(core, clip, 0.0196)], network_path=str(model))
    assert (out.width, out.height) == (44, 30)
    x = np.concatenate([data[1], np.full((1, 30, 44), 0.0196, np.float32)])
    np.testing.assert_array_equal(planes(out.get_frame(1)), run_raw(model, x, tmp_path).reshape(3, 30, 44))


def test_interpolation_pair_and_timestep(core, make_model, tmp_path):
    model = make_model("interpolator", 3)  # A, B, t (7 planes); flow, GridSample warp
    clip, data = rgb_clip(core, 64, 32, 4)
    a, b = clip[:-1], clip[1:]
    out = core.ort.Model([a, b, constant(core, a, 0.5)], network_path=str(model))
    assert out.num_frames == 3
    x = np.concatenate([data[1], data[2], np.full((1, 32, 64), 0.5, np.float32)])
    np.testing.assert_array_equal(planes(out.get_frame(1)), run_raw(model, x, tmp_path).reshape(3, 32, 64))


def test_window_of_three_frames_edges_repeated(core, make_model, tmp_path):
    model = make_model("conv", 9, 3, 2, 1, 3, 8)
    clip, data = rgb_clip(core, 32, 24, 4)
    previous, following = clip[0] + clip[:-1], clip[1:] + clip[-1]
    out = core.ort.Model([previous, clip, following], network_path=str(model))
    for n, window in {0: (0, 0, 1), 2: (1, 2, 3), 3: (2, 3, 3)}.items():
        x = np.concatenate([data[i] for i in window])
        np.testing.assert_array_equal(planes(out.get_frame(n)), run_raw(model, x, tmp_path).reshape(3, 24, 32))


def test_alpha_through_an_rgb_upscaler_as_gray(core, make_model, tmp_path):
    model = make_model("conv", 3, 3, 1, 2, 9, 4)
    alpha, data = gray_clip(core, 24, 16, 1, seed=3)
    as_rgb = core.std.ShufflePlanes(alpha, planes=[0, 0, 0], colorfamily=vs.RGB)
    out = core.std.ShufflePlanes(core.ort.Model(as_rgb, network_path=str(model)), planes=0,
                                 colorfamily=vs.GRAY)
    assert (out.width, out.height) == (48, 32)
    want = run_raw(model, np.repeat(data[0], 3, axis=0), tmp_path).reshape(3, 32, 48)[0]
    np.testing.assert_array_equal(planes(out.get_frame(0))[0], want)
