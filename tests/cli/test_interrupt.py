"""Ctrl-C stops cleanly and leaves a finished, playable (shorter) output."""
import signal
import subprocess
import time

import pytest

from helpers import MLRT, frame_count, have_encoder, lavfi_video, probe


@pytest.mark.parametrize("name", ["out.mkv", "out.mp4"])
def test_sigint_leaves_a_playable_truncated_file(models, tmp_path, name):
    src = lavfi_video(tmp_path / "long.mkv", size="320x180", rate=24, duration=30, audio=True)
    out = tmp_path / name
    proc = subprocess.Popen([str(MLRT), "run", models["upscale2x"], src, out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    # Wait until encoding is under way (the file, written under a hidden partial name until it
    # is finished, has data), then interrupt.
    def written():
        return sum(f.stat().st_size for f in tmp_path.glob(f".{out.stem}.mlrt-partial-*"))
    deadline = time.time() + 60
    while time.time() < deadline and written() < 200_000:
        time.sleep(0.05)
    assert not out.exists()  # not under its name before it is finished
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not list(tmp_path.glob(".*mlrt-partial*"))  # renamed into place
    n = frame_count(out)
    assert 0 < n < 720
    # The container is finished: it has a duration and the audio stops near the video.
    info = probe(out)
    assert float(info["format"]["duration"]) == pytest.approx(n / 24, abs=0.5)
    decode = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"], capture_output=True, text=True)
    assert decode.returncode == 0 and decode.stderr == ""


def start_long_run(models, tmp_path, name="out.mkv"):
    src = tmp_path / "long.mkv"
    if not src.exists():
        lavfi_video(src, size="320x180", rate=24, duration=30)
    out = tmp_path / name
    proc = subprocess.Popen([str(MLRT), "run", models["upscale2x"], src, out], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    return proc, out


def partial_bytes(tmp_path):
    return sum(f.stat().st_size for f in tmp_path.glob(".*mlrt-partial*"))


def wait_for(condition, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        time.sleep(0.02)


# Two interrupts 0.2 s apart, as an impatient user or `timeout -s INT` on a process group sends
# them, at several moments of the job: never a hidden file left; the output is absent or plays.
@pytest.mark.parametrize("moment", ["opening", "first frames", "steady state"])
def test_two_interrupts_leave_nothing_behind(models, tmp_path, moment):
    proc, out = start_long_run(models, tmp_path)
    if moment == "opening":  # the model and the output are being set up
        time.sleep(0.3)
    elif moment == "first frames":
        wait_for(lambda: partial_bytes(tmp_path) > 0)
    else:
        wait_for(lambda: partial_bytes(tmp_path) > 200_000)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert not list(tmp_path.glob(".*mlrt-partial*")), err
    if out.exists():  # finished before the second one came
        assert frame_count(out) > 0
    if moment != "opening":
        assert "interrupting: finishing the frames in flight" in err, err
        # Stopped by the second one, or finished before it came.
        assert ("stopped" in err) != ("interrupted; wrote" in err), err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_finish_the_output_like_ctrl_c(models, tmp_path, sig):
    proc, out = start_long_run(models, tmp_path)
    wait_for(lambda: partial_bytes(tmp_path) > 200_000)
    start = time.time()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert err.count("interrupting: finishing") == 1, err
    assert not list(tmp_path.glob(".*mlrt-partial*"))
    assert 0 < frame_count(out) < 720
    assert time.time() - start < 60


def test_two_interrupts_at_any_moment_leave_nothing_behind(models, tmp_path):
    # A sweep over a short job's whole life, its end included: the last frames, the encoder's
    # flush (x264 holds its lookahead's frames until then) and the container's trailer. Whatever
    # the moment, no hidden file is left and an output that exists plays to its end.
    src = lavfi_video(tmp_path / "short.mkv", size="160x90", rate=24, duration=2)
    codec = ["--crf", "23"] if have_encoder("libx264") else []
    name = "out.mp4" if codec else "out.mkv"
    cmd = [str(MLRT), "run", "-q", models["upscale2x"], src, tmp_path / name, *codec]
    start = time.time()
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    whole = time.time() - start
    (tmp_path / name).unlink()
    for k in range(1, 12):
        out = tmp_path / name
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(whole * k / 10)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        moment = f"interrupted at {k / 10:.0%} of {whole:.2f} s"
        # Before main() runs (the dynamic loader mapping ONNX Runtime) SIGINT's default action
        # ends the process, which a shell reports as 130 too; nothing has been opened then.
        assert proc.returncode in (0, 130, -signal.SIGINT), f"{moment}: {proc.returncode} {err}"
        if proc.returncode == -signal.SIGINT:
            assert not out.exists() and err == "", f"{moment}: {err}"
        assert not list(tmp_path.glob(".*mlrt-partial*")), f"{moment}: {err}"
        if out.exists():
            decode = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"],
                                    capture_output=True, text=True)
            assert decode.returncode == 0 and decode.stderr == "", f"{moment}: {decode.stderr}"
            assert frame_count(out) > 0, moment
            out.unlink()
        else:
            assert proc.returncode in (130, -signal.SIGINT), moment
