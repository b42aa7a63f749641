"""Every failure is a clear message naming the culprit, a non-zero exit, and no broken output
left behind."""
import os
import random

import pytest

from helpers import ffmpeg, lavfi_image, lavfi_video, mlrt, size_changing_clip


def fails(*args, code=1, one_line=True):
    p = mlrt(*args, check=False)
    assert p.returncode == code, p.stderr
    assert p.stderr.startswith("mlrt: error: "), p.stderr
    # One line, ours: FFmpeg's own complaints are folded into it unless --verbose.
    assert p.stderr.count("\n") == 1 or not one_line, p.stderr
    return p.stderr


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return lavfi_video(tmp_path_factory.mktemp("e") / "clip.mkv", size="64x48", duration=0.5)


def test_missing_input(models, tmp_path):
    err = fails("run", models["identity"], tmp_path / "nope.mkv", tmp_path / "out.mkv")
    assert "cannot open input" in err and "nope.mkv" in err and "No such file" in err
    assert not (tmp_path / "out.mkv").exists()


def test_corrupt_input(models, tmp_path):
    junk = tmp_path / "junk.mkv"
    # Fixed bytes: random ones are now and then probed as some container with no video stream,
    # which is refused too, but with another message.
    junk.write_bytes(random.Random(4096).randbytes(4096))
    err = fails("run", models["identity"], junk, tmp_path / "out.mkv")
    assert "junk.mkv" in err and "Invalid data" in err
    assert not (tmp_path / "out.mkv").exists()


def test_truncated_image(models, tmp_path):
    src = lavfi_image(tmp_path / "noisy.png", size="320x240", vf="noise=alls=80")
    data = src.read_bytes()
    bad = tmp_path / "trunc.png"
    bad.write_bytes(data[: len(data) // 3])
    err = fails("run", models["identity"], bad, tmp_path / "out.png")
    assert "cannot decode input" in err and "trunc.png" in err
    assert not (tmp_path / "out.png").exists()


def test_unsupported_pixel_format(models, tmp_path):
    src = tmp_path / "xyz.nut"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "2", "-pix_fmt", "xyz12le", "-c:v", "rawvideo", src)
    err = fails("run", models["identity"], src, tmp_path / "out.mkv")
    assert "pixel format xyz12le is not supported" in err and "xyz.nut" in err
    assert not (tmp_path / "out.mkv").exists()


def test_gray_flag_with_rgb_model(models, clip, tmp_path):
    err = fails("run", "--gray", models["identity"], clip, tmp_path / "out.mkv")
    assert "--gray" in err and "3 channels" in err


def test_unwritable_output(models, clip, tmp_path):
    err = fails("run", models["identity"], clip, tmp_path / "missing" / "out.mkv")
    assert "cannot write output" in err and "missing/out.mkv" in err
    err = fails("run", models["identity"], clip, tmp_path / "missing" / "f_%03d.png")
    assert "cannot write output" in err and "does not exist" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_directory(models, clip, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        for name in ("out.mkv", "out.png", "f_%03d.png"):
            err = fails("run", "--frames", "0", models["identity"], clip, ro / name)
            assert "cannot write output" in err
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_unknown_output_extension(models, clip, tmp_path):
    err = fails("run", models["identity"], clip, tmp_path / "out.xyz")
    assert "cannot tell the output format" in err


def test_single_image_output_from_video(models, clip, tmp_path):
    err = fails("run", models["identity"], clip, tmp_path / "out.png")
    assert "single image" in err and "--frames" in err
    assert not (tmp_path / "out.png").exists()


def test_missing_and_corrupt_model(clip, tmp_path):
    err = fails("run", tmp_path / "nope.onnx", clip, tmp_path / "out.mkv")
    assert "cannot read model" in err and "nope.onnx" in err
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"this is not protobuf at all")
    err = fails("run", bad, clip, tmp_path / "out.mkv")
    assert "bad.onnx" in err and "not a valid ONNX model" in err
    assert not (tmp_path / "out.mkv").exists()
    err = fails("info", bad)
    assert "not a valid ONNX model" in err


def test_output_is_input(models, clip):
    err = fails("run", models["identity"], clip, clip)
    assert "is the input file" in err
    assert clip.stat().st_size > 0


def test_bad_frame_ranges(models, clip, tmp_path):
    assert "END after START" in fails("run", "--frames", "5:2", models["identity"], clip, tmp_path / "o.mkv", code=2)
    assert "--frames" in fails("run", "--frames", "a:b", models["identity"], clip, tmp_path / "o.mkv", code=2)
    err = fails("run", "--frames", "100:200", models["identity"], clip, tmp_path / "o.mkv")
    assert "no input frames in the range" in err and "12 frames" in err
    assert not (tmp_path / "o.mkv").exists()


def test_bad_sizes_and_encoder_options(models, clip, tmp_path):
    assert "--tilesize" in fails("run", "--tilesize", "0", models["identity"], clip, tmp_path / "o.mkv", code=2)
    assert "overlap" in fails("run", "--tilesize", "16", "--overlap", "8", models["identity"], clip, tmp_path / "o.mkv", code=2)
    assert "no CRF mode" in fails("run", "--crf", "20", "--codec", "ffv1", models["identity"], clip, tmp_path / "o.mkv", code=2)
    assert "--pix-fmt" in fails("run", "--frames", "0", "--pix-fmt", "nv12", models["identity"], clip, tmp_path / "o.png", code=2)
    assert "--codec" in fails("run", "--codec", "nonesuch", models["identity"], clip, tmp_path / "o.mkv", code=2)


def test_usage_errors_exit_2(models, clip):
    p = mlrt("run", models["identity"], check=False)
    assert p.returncode == 2 and "required" in p.stderr
    p = mlrt("run", "--backend", "tpu", models["identity"], clip, "x.mkv", check=False)
    assert p.returncode == 2 and "--backend" in p.stderr


# The README's exit status 2, "bad usage": every refused flag, value or combination, in mlrt's
# own words (`mlrt: error: ...`), with the flag or command that was probably meant.
@pytest.mark.parametrize("args, message", [
    (["--tilesise", "256"], "unknown flag --tilesise: did you mean --tilesize?"),
    (["--tilesize", "abc"], "--tilesize: 'abc' is not W or WxH"),
    (["--streams", "0"], "--streams must be in 1..64, got 0"),
    (["--frames", "abc"], "--frames: 'abc' is not"),
    (["--overlap", "16"], "--tilesize must be given when overlap is not 0"),
    (["--preset", "slow"], "--preset applies to x264 and x265, not ffv1"),
    (["--crf", "70"], "--crf: Value 70 not in range"),
    (["--backend", "tpu"], "--backend"),
])
def test_every_usage_error_exits_2_in_one_grammar(models, clip, tmp_path, args, message):
    out = tmp_path / "o.mkv"
    p = mlrt("run", *args, models["identity"], clip, out, check=False)
    assert p.returncode == 2, p.stderr
    assert p.stderr.startswith("mlrt: error: ") and message in p.stderr, p.stderr
    assert not out.exists()


def test_unknown_command_and_bare_mlrt():
    p = mlrt("runn", "x", check=False)
    assert p.returncode == 2 and p.stderr.startswith("mlrt: error: ")
    assert "did you mean `mlrt run`?" in p.stderr, p.stderr
    p = mlrt(check=False)
    assert p.returncode == 2 and "Subcommands:" in p.stdout and "make-clip" in p.stdout


def test_unavailable_backend(models, clip, tmp_path):
    p = mlrt("version", "--json")
    if "CUDA" in p.stdout.split("providers_loadable")[1]:
        pytest.skip("CUDA loads here")
    # (ONNX Runtime's reason may span lines.)
    err = fails("run", "--backend", "cuda", models["identity"], clip, tmp_path / "o.mkv", one_line=False)
    assert "CUDA" in err and "CPU" in err  # names what failed and what is available
    assert not (tmp_path / "o.mkv").exists()


def test_failure_midway_removes_partial_outputs(models, tmp_path):
    # The frame size changes after 10 frames: processing fails part-way through.
    joined = size_changing_clip(tmp_path)
    for out in ("v.mkv", "seq_%03d.png", "v.mp4"):
        err = fails("run", models["identity"], joined, tmp_path / out)
        assert "changes size at frame" in err and "64x48 to 80x48" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grows.ts"]


def test_model_path_problems_and_size_syntax_are_named(models, tmp_path):
    # A directory given as the model, and a tile size that is not W or WxH.
    err = fails("info", tmp_path)
    assert "cannot read model" in err and "it is a directory" in err
    err = fails("bench", models["identity"], "--size", "32", "--tilesize", "2x", code=2)
    assert "--tilesize: '2x' is not W or WxH (integers)" in err
