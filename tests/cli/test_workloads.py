"""mlrt run on the workloads beyond one frame's RGB: constant planes (--extra-plane, DPIR style),
windows of frames (--window) and frame interpolation (--interpolate, --scene-threshold). Each
output is compared with the engine run directly (mlrt_run_raw) on the float planes the flags
describe; the models are built in code (mlrt_write_test_model)."""
import subprocess

import numpy as np
import pytest

from helpers import MLRT, audio_bytes, ffmpeg, frame_count, frame_times, framemd5, lavfi_video, mlrt, probe, raw_frames, video_stream

BUILD_TESTS = MLRT.parents[2] / "tests"
WRITE_MODEL = BUILD_TESTS / "mlrt_write_test_model"
RUN_RAW = BUILD_TESTS / "mlrt_run_raw"


@pytest.fixture(scope="module")
def tools():
    for tool in (WRITE_MODEL, RUN_RAW):
        if not tool.exists():
            pytest.skip(f"test tool not built at {tool}")


@pytest.fixture(scope="module")
def model(tools, tmp_path_factory):
    d = tmp_path_factory.mktemp("workload_models")

    def make(name, *args):
        path = d / f"{name}.onnx"
        if not path.exists():
            subprocess.run([str(WRITE_MODEL), str(path), *map(str, args)], check=True)
        return path
    return make


def rgb_planes(path, w, h):
    """Every frame as float planes (F, 3, H, W) in [0, 1], as the command line feeds them."""
    raw = raw_frames(path, "rgb24").reshape(-1, h, w, 3)
    return raw.transpose(0, 3, 1, 2).astype(np.float32) / 255.0


def engine_run(model_path, planes, tmp_path):
    """The engine on one (C, H, W) float32 input; returns (C_out, H, W)."""
    c, h, w = planes.shape
    src, dst = tmp_path / "in.raw", tmp_path / "out.raw"
    np.ascontiguousarray(planes, dtype=np.float32).tofile(src)
    subprocess.run([str(x) for x in (RUN_RAW, model_path, w, h, c, src, dst)], check=True,
                   capture_output=True)
    return np.fromfile(dst, dtype=np.float32).reshape(-1, h, w)


def to_8bit(planes):
    return np.clip(np.rint(planes * 255.0), 0, 255)


def assert_close_8bit(got, planes):
    """Equal up to the rounding of the conversion to 8 bits."""
    diff = np.abs(got.astype(np.float64) - to_8bit(planes))
    assert diff.max() <= 1, f"max difference {diff.max()}"


def rgb_clip(path, size="100x60", frames=5, rate=24, audio=False):
    w, h = map(int, size.split("x"))
    return lavfi_video(path, size=size, rate=rate, duration=frames / rate, pix_fmt="gbrp",
                       audio=audio), w, h


def test_extra_plane_feeds_a_mod8_unet_on_a_size_that_is_not_a_multiple_of_8(model, tmp_path):
    unet = model("unet4", "unet", 4, 3)
    clip, w, h = rgb_clip(tmp_path / "in.mkv", size="100x60", frames=3)
    out = tmp_path / "dpir.mkv"
    p = mlrt("run", unet, clip, out, "--extra-plane", "0.0196", "--dither", "none", "-v")
    assert "wrote 3 frame(s) of 100x60" in p.stderr
    assert "tile(s) of 104x64" in p.stderr  # mirror-padded to the model's multiple, cropped back
    src = rgb_planes(clip, w, h)
    got = rgb_planes(out, w, h) * 255.0
    for i in range(3):
        x = np.concatenate([src[i], np.full((1, h, w), 0.0196, np.float32)])
        assert_close_8bit(got[i], engine_run(unet, x, tmp_path))


def test_extra_plane_count_must_match_the_model(model, tmp_path):
    unet = model("unet4", "unet", 4, 3)
    clip, _, _ = rgb_clip(tmp_path / "in.mkv", frames=1)
    p = mlrt("run", unet, clip, tmp_path / "a.mkv", check=False)
    assert p.returncode != 0 and "takes 4 input planes" in p.stderr and "--extra-plane" in p.stderr
    p = mlrt("run", unet, clip, tmp_path / "b.mkv", "--extra-plane", "0.1", "--extra-plane", "0.2",
             check=False)
    assert p.returncode != 0 and "takes 4 input planes" in p.stderr, p.stderr
    assert not (tmp_path / "a.mkv").exists() and not (tmp_path / "b.mkv").exists()


def test_window_feeds_three_frames_centred_on_each_with_edges_repeated(model, tmp_path):
    # Gain 3 and offset 0.5 put the stack's output inside [0, 1], where every input sample shows.
    net = model("window9_spread", "conv", 9, 3, 2, 1, 3, 8, 3, 0.5)
    # At 100x60 every frame of testsrc2 differs from the next (at 64x48 and 24 fps some repeat,
    # and a window of the wrong frames can give the same output).
    clip, w, h = rgb_clip(tmp_path / "in.mkv", size="100x60", frames=5)
    out = tmp_path / "window.mkv"
    p = mlrt("run", net, clip, out, "--window", "3", "--dither", "none")
    assert "wrote 5 frame(s)" in p.stderr
    assert frame_count(out) == 5
    # Output frame i has input frame i's timestamp.
    assert frame_times(out) == frame_times(clip)
    src = rgb_planes(clip, w, h)
    got = rgb_planes(out, w, h) * 255.0
    assert all(not np.array_equal(src[i], src[i + 1]) for i in range(4))
    # Measured: equal. Windows shifted by a frame, reversed, or with the edges mirrored
    # ((1, 0, 1)) instead of repeated are 30 to 58 off.
    for i in range(5):
        x = np.concatenate([src[j] for j in (max(i - 1, 0), i, min(i + 1, 4))])
        assert_close_8bit(got[i], engine_run(net, x, tmp_path))


def test_window_size_and_model_planes_are_checked(model, tmp_path):
    net = model("window9", "conv", 9, 3, 2, 1, 3, 8)
    clip, _, _ = rgb_clip(tmp_path / "in.mkv", frames=1)
    p = mlrt("run", net, clip, tmp_path / "a.mkv", "--window", "4", check=False)
    assert p.returncode != 0 and "odd and at least 3" in p.stderr
    p = mlrt("run", net, clip, tmp_path / "b.mkv", "--window", "5", check=False)
    assert p.returncode != 0 and "takes 9 input planes" in p.stderr and "5 frames" in p.stderr
    p = mlrt("run", net, clip, tmp_path / "c.mkv", "--window", "3", "--interpolate", "2", check=False)
    assert p.returncode != 0 and "exclude each other" in p.stderr


def test_interpolate_doubles_frames_rate_and_timestamps_keeping_audio(model, tmp_path):
    net = model("interp", "interpolator", 3)
    clip, w, h = rgb_clip(tmp_path / "in.mkv", size="64x48", frames=6, audio=True)
    out = tmp_path / "x2.mkv"
    p = mlrt("run", net, clip, out, "--interpolate", "2", "--dither", "none")
    assert "wrote 12 frame(s)" in p.stderr
    v = video_stream(probe(out))
    assert v["avg_frame_rate"] == "48/1" and v["r_frame_rate"] == "48/1"
    assert frame_count(out) == 12
    src_t, out_t = frame_times(clip), frame_times(out)
    assert out_t[0::2] == src_t  # the input frames keep their times
    # The new frames lie half way, to Matroska's millisecond.
    assert all(abs(out_t[2 * i + 1] - (src_t[i] + src_t[i + 1]) / 2) <= 0.001 for i in range(5))
    assert abs(out_t[11] - (src_t[5] + 1 / 48)) <= 0.001
    assert audio_bytes(out) == audio_bytes(clip)
    src = rgb_planes(clip, w, h)
    got = rgb_planes(out, w, h) * 255.0
    assert_close_8bit(got[0], src[0])  # k = 0 is frame A itself
    x = np.concatenate([src[2], src[3], np.full((1, h, w), 0.5, np.float32)])
    assert_close_8bit(got[5], engine_run(net, x, tmp_path))
    assert_close_8bit(got[11], src[5])  # the last frame is repeated to fill its interval
    assert_close_8bit(got[10], src[5])


def test_interpolate_by_three_uses_thirds(model, tmp_path):
    net = model("interp", "interpolator", 3)
    # Frames that all differ (see the window test), so that the blend's weights and the order of
    # A and B show.
    clip, w, h = rgb_clip(tmp_path / "in.mkv", size="100x60", frames=3, rate=25)
    out = tmp_path / "x3.mkv"
    mlrt("run", net, clip, out, "--interpolate", "3", "--dither", "none")
    assert frame_count(out) == 9
    assert video_stream(probe(out))["avg_frame_rate"] == "75/1"
    src = rgb_planes(clip, w, h)
    got = rgb_planes(out, w, h) * 255.0
    assert not np.array_equal(src[0], src[1]) and not np.array_equal(src[1], src[2])
    # Measured: equal. t = 1 - k/3 is 87 off, A and B swapped 120, t = 1/2 46.
    for a, k in ((0, 1), (0, 2), (1, 1), (1, 2)):
        x = np.concatenate([src[a], src[a + 1], np.full((1, h, w), k / 3, np.float32)])
        assert_close_8bit(got[3 * a + k], engine_run(net, x, tmp_path))


def test_scene_threshold_repeats_frame_a_across_a_cut(model, tmp_path):
    net = model("interp", "interpolator", 3)
    # Two black frames, then two of testsrc2: a cut between frames 1 and 2.
    clip = tmp_path / "cut_in.mkv"
    ffmpeg("-f", "lavfi", "-i", "color=c=black:size=64x48:rate=24:duration=0.08", "-f", "lavfi",
           "-i", "testsrc2=size=64x48:rate=24:duration=0.08",
           "-filter_complex", "[0:v][1:v]concat=n=2:v=1", "-c:v", "ffv1", "-pix_fmt", "gbrp", clip)
    w, h = 64, 48
    src = rgb_planes(clip, w, h)
    assert len(src) == 4
    cut = tmp_path / "cut.mkv"
    p = mlrt("run", net, clip, cut, "--interpolate", "2", "--scene-threshold", "0.1", "--dither",
             "none", "-v")
    assert "1 scene cut(s)" in p.stderr
    got = rgb_planes(cut, w, h) * 255.0
    assert len(got) == 8
    assert_close_8bit(got[3], src[1])  # frame A repeated instead of a blend across the cut
    x = np.concatenate([src[2], src[3], np.full((1, h, w), 0.5, np.float32)])
    assert_close_8bit(got[5], engine_run(net, x, tmp_path))  # no cut: interpolated
    smooth = tmp_path / "smooth.mkv"
    mlrt("run", net, clip, smooth, "--interpolate", "2", "--dither", "none")
    got = rgb_planes(smooth, w, h) * 255.0
    x = np.concatenate([src[1], src[2], np.full((1, h, w), 0.5, np.float32)])
    assert_close_8bit(got[3], engine_run(net, x, tmp_path))
    assert np.abs(got[3] - to_8bit(src[1])).max() > 10  # off by default: it did blend
    p = mlrt("run", net, clip, tmp_path / "bad.mkv", "--scene-threshold", "0.1", check=False)
    assert p.returncode != 0 and "needs --interpolate" in p.stderr


def test_bench_workloads_has_one_row_per_workload(model, tmp_path):
    import json
    d = tmp_path / "workloads"
    d.mkdir()
    for name, args in {"luma": ("conv", 1, 1, 2, 2), "chroma": ("conv", 3, 2, 2, 1),
                       "strength": ("unet", 4, 3), "interpolation": ("interpolator", 3),
                       "window": ("conv", 9, 3, 2, 1)}.items():
        subprocess.run([str(WRITE_MODEL), str(d / f"{name}.onnx"), *map(str, args)], check=True)
    p = mlrt("bench", "--workloads", d, "--size", "64x48", "--backend", "cpu", "--repeats", "2",
             "--json")
    rows = {r["workload"]: r for r in json.loads(p.stdout)["workloads"]}
    assert list(rows) == ["luma", "chroma", "strength", "interpolation", "window", "rgb"]
    assert "skipped" in rows["rgb"]  # no rgb.onnx in the directory
    assert (rows["interpolation"]["input_planes"], rows["interpolation"]["output_planes"]) == (7, 3)
    assert rows["chroma"]["output_planes"] == 2
    for name in ("luma", "chroma", "strength", "interpolation", "window"):
        assert rows[name]["engine_vs_plain"] > 0
    table = mlrt("bench", "--workloads", d, "--size", "64x48", "--backend", "cpu", "--repeats", "1").stdout
    assert "| interpolation | --interpolate N | 7 -> 3 |" in table
    p = mlrt("bench", "--workloads", tmp_path / "none", check=False)
    assert p.returncode != 0 and "not a directory" in p.stderr


def test_int8_calibrates_models_with_several_clips(model, tmp_path):
    # Calibration frames are fed as the run feeds them: each frame of a window, then constants.
    clip, _, _ = rgb_clip(tmp_path / "in.mkv", size="64x48", frames=3)
    unet = model("unet4", "unet", 4, 3)
    p = mlrt("run", unet, clip, tmp_path / "dpir8.mkv", "--extra-plane", "0.02", "--int8",
             "--backend", "cpu", "-v")
    assert "wrote 3 frame(s)" in p.stderr and "PSNR against float32" in p.stderr
    net = model("window9", "conv", 9, 3, 2, 1, 3, 8)
    p = mlrt("run", net, clip, tmp_path / "win8.mkv", "--window", "3", "--int8", "--backend", "cpu")
    assert "wrote 3 frame(s)" in p.stderr


@pytest.mark.parametrize("flags", [("--window", "3"), ("--interpolate", "2")], ids=["window", "interpolate"])
def test_ranges_are_made_from_the_frames_around_them(model, tmp_path, flags):
    # A --frames segment's first and last frames come from the frames beyond the range (the
    # window's other half, the pair's next frame), as in a whole run: segments join seamlessly.
    net = model("window9", "conv", 9, 3, 2, 1, 3, 8) if flags[0] == "--window" else model("interp", "interpolator", 3)
    clip, _, _ = rgb_clip(tmp_path / "in.mkv", size="64x48", frames=8)
    whole = tmp_path / "whole.mkv"
    mlrt("run", "-q", net, clip, whole, *flags)
    parts = []
    for r in ("0:3", "3:6", "6:"):
        parts.append(tmp_path / f"part{len(parts)}.mkv")
        mlrt("run", "-q", net, clip, parts[-1], *flags, "--frames", r, "--no-copy")
    joined = tmp_path / "joined.mkv"
    mlrt("concat", "-q", joined, *parts)
    assert framemd5(joined) == framemd5(whole)


def test_interpolating_one_frame_into_a_single_image_is_refused(model, tmp_path):
    # One input frame gives N output frames: that is not one image.
    net = model("interp", "interpolator", 3)
    src = tmp_path / "in.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "1", src)
    p = mlrt("run", net, src, tmp_path / "out.png", "--interpolate", "2", check=False)
    assert p.returncode == 1 and "single image" in p.stderr and "writes 2 frames" in p.stderr, p.stderr
    assert not (tmp_path / "out.png").exists()
