"""Faults during a job: a disk that fills up and an input that breaks part-way through. Each gives
a clear error and an exit status that says the result is not complete."""
import resource
import signal

from helpers import frame_count, lavfi_video, mlrt


def small_disk(limit_bytes):
    """Stands in for a full disk: writes past the limit fail with EFBIG instead of killing us."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def test_output_disk_fills_up(models, tmp_path):
    clip = lavfi_video(tmp_path / "in.mkv", size="160x90", rate=10, duration=2)
    for name in ("out.mkv", "seq_%03d.png"):
        p = mlrt("run", "--quiet", models["identity"], clip, tmp_path / name, check=False,
                 preexec_fn=small_disk(10_000))
        assert p.returncode == 1, p.stderr
        assert "mlrt: error: " in p.stderr and "File too large" in p.stderr, p.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mkv"]


def test_decoder_error_mid_file(models, tmp_path):
    clip = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=3, extra=("-level", "3", "-slicecrc", "1"))
    data = bytearray(clip.read_bytes())
    middle = len(data) // 2
    for i in range(middle, middle + 400):
        data[i] ^= 0x5A
    broken = tmp_path / "broken.mkv"
    broken.write_bytes(data)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "--quiet", models["identity"], broken, out, check=False)
    assert p.returncode == 3, p.stderr
    assert "decoding error" in p.stderr and "broken.mkv" in p.stderr, p.stderr
    # The frames that decoded are there, in a playable file, and fewer than the input had.
    frames = frame_count(out)
    assert 0 < frames < 30


def test_model_failing_mid_run_names_the_frame(tmp_path):
    # Frames 0 and 1 are black, frame 2 white: the poison model's index runs out of its table on
    # frame 2 only, as a GPU running out of memory on one frame would fail.
    import subprocess

    from helpers import MLRT, ffmpeg
    write_model = MLRT.parents[2] / "tests" / "mlrt_write_test_model"
    model = tmp_path / "poison.onnx"
    subprocess.run([str(write_model), str(model), "poison", "3", "2"], check=True)
    for i, colour in enumerate(("black", "black", "white")):
        ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:s=32x24", "-frames:v", "1", tmp_path / f"in_{i}.png")
    out = tmp_path / "out.mkv"
    p = mlrt("run", "--quiet", "--backend", "cpu", model, tmp_path / "in_%d.png", out, check=False)
    assert p.returncode == 1, p.stderr
    [error] = [line for line in p.stderr.splitlines() if line.startswith("mlrt: error:")]
    assert "output frame 2: ONNX Runtime failed to run the model" in error, p.stderr
    assert not out.exists() and not list(tmp_path.glob(".*out*"))
