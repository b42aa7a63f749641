"""The memory budget of `mlrt run`: a job that cannot fit is refused before it starts, with the
estimate, the limit and a --tilesize or --streams that fits."""
import re
import shutil
import subprocess

import pytest

from helpers import MLRT, lavfi_image, lavfi_video, mlrt, probe, video_stream


def test_max_memory_too_small_refuses_with_a_suggestion_that_works(models, tmp_path):
    src = lavfi_image(tmp_path / "in.png", size="512x512")
    out = tmp_path / "out.png"
    p = mlrt("run", models["upscale2x"], src, out, "--max-memory", "150M", check=False)
    assert p.returncode == 1, p.stderr
    assert "estimated" in p.stderr and "MiB" in p.stderr and "--max-memory" in p.stderr
    assert "bad_alloc" not in p.stderr
    assert not out.exists()
    m = re.search(r"(--tilesize \d+(?: --streams \d+)?|--streams \d+) fits", p.stderr)
    assert m, p.stderr
    # The suggestion, as printed, fits the same limit.
    mlrt("run", "-q", models["upscale2x"], src, out, "--max-memory", "150M", *m.group(1).split())
    assert video_stream(probe(out))["width"] == 1024


def test_nothing_fits_says_so(models, tmp_path):
    src = lavfi_image(tmp_path / "in.png", size="512x512")
    p = mlrt("run", models["upscale2x"], src, tmp_path / "o.png", "--max-memory", "10M", check=False)
    assert p.returncode == 1
    assert "no --tilesize or --streams fits" in p.stderr and "10.0 MiB" in p.stderr
    # It names what the smallest job still needs most: here the runtime, not the frames.
    assert re.search(r"with --streams 1 --tilesize 32 it still needs [\d.]+ MiB, most of it "
                     r"runtime \(libraries, codecs, thread pools\) \(96.0 MiB\)", p.stderr), p.stderr
    assert "frames alone" not in p.stderr


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) not installed")
def test_address_space_limit_refuses_a_huge_image_up_front(models, tmp_path):
    # The case: an 8000x8000 PNG through a 2x model under 2.5 GB of address space used to
    # end in "std::bad_alloc". The float output frame alone is 3 GiB.
    src = lavfi_image(tmp_path / "huge.png", size="8000x8000")
    out = tmp_path / "out.png"
    p = subprocess.run(["prlimit", f"--as={2500 * 1024 * 1024}", str(MLRT), "run", str(models["upscale2x"]),
                        str(src), str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr  # an error, not a signal
    assert "bad_alloc" not in p.stderr
    assert "estimated" in p.stderr and "RLIMIT_AS" in p.stderr and "GiB" in p.stderr
    assert not out.exists()


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="prlimit (util-linux) not installed")
def test_small_job_runs_under_an_address_space_limit(models, tmp_path):
    # The budget leaves room for ONNX Runtime and the threads: a tiny job fits in 1 GiB.
    src = lavfi_image(tmp_path / "in.png")
    out = tmp_path / "out.png"
    p = subprocess.run(["prlimit", f"--as={1024 * 1024 * 1024}", str(MLRT), "run", "-q",
                        str(models["upscale2x"]), str(src), str(out)], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert out.exists()


def test_verbose_shows_the_budget(models, tmp_path):
    src = lavfi_image(tmp_path / "in.png")
    p = mlrt("run", "-v", models["upscale2x"], src, tmp_path / "o.png", "--max-memory", "1.5GiB")
    assert re.search(r"mlrt: memory: estimate [\d.]+ MiB, limit 1\.50 GiB \(--max-memory\), \d+ frame\(s\) in flight",
                     p.stderr), p.stderr
    assert "model activations for a 64x48 tile" in p.stderr


def test_frames_in_flight_shrink_before_refusing(models, tmp_path):
    src = lavfi_video(tmp_path / "in.mkv", size="640x480", duration=0.5)
    out = tmp_path / "out.mkv"
    p = mlrt("run", "-v", models["identity"], src, out, "--streams", "2")
    full = int(re.search(r"estimate ([\d.]+) MiB.*?(\d+) frame\(s\) in flight", p.stderr).group(1).split(".")[0])
    frames = int(re.search(r"(\d+) frame\(s\) in flight", p.stderr).group(1))
    assert frames == 6
    # A limit just under the default estimate: fewer frames in flight, same output.
    p = mlrt("run", "-y", "-v", models["identity"], src, out, "--streams", "2", "--max-memory", f"{full - 1}M")
    frames = int(re.search(r"(\d+) frame\(s\) in flight", p.stderr).group(1))
    assert 2 <= frames < 6, p.stderr


@pytest.mark.parametrize("bad", ["lots", "12X", "-5M", "", "1.2.3G"])
def test_malformed_max_memory_is_a_usage_error(models, tmp_path, bad):
    src = lavfi_image(tmp_path / "in.png")
    p = mlrt("run", models["identity"], src, tmp_path / "o.png", "--max-memory", bad, check=False)
    assert p.returncode == 2
    assert "--max-memory" in p.stderr


def _float_frames_item(stderr):
    m = re.search(r"mlrt: memory: +([\d.]+) (KiB|MiB)  float frames in and out", stderr)
    assert m, stderr
    return float(m.group(1)) * (1024 if m.group(2) == "MiB" else 1)


def test_windows_and_alpha_are_counted(models, tmp_path):
    # The frames a window holds, and the alpha's planes beside the frame's, are in the estimate.
    clip = lavfi_video(tmp_path / "in.mkv", size="64x48", rate=10, duration=0.3, pix_fmt="gbrp")
    model = tmp_path / "window.onnx"
    subprocess.run([str(MLRT.parents[2] / "tests" / "mlrt_write_test_model"), str(model), "conv", "9", "3", "1", "1"],
                   check=True)
    p = mlrt("run", "-v", model, clip, tmp_path / "w.mkv", "--window", "3")
    assert "3 float frame(s) held for windows or pairs" in p.stderr, p.stderr
    rgba = lavfi_image(tmp_path / "a.png", pix_fmt="rgba")
    with_alpha = _float_frames_item(mlrt("run", "-v", models["upscale2x"], rgba, tmp_path / "a_out.png").stderr)
    dropped = _float_frames_item(mlrt("run", "-v", models["upscale2x"], rgba, tmp_path / "d_out.png",
                                      "--alpha", "drop").stderr)
    assert with_alpha == pytest.approx(2 * dropped, rel=0.02)  # through the model: a second in and out
