"""Ctrl-C stops cleanly and leaves a finished, playable (shorter) output."""
import signal
import subprocess
import time

import pytest

from helpers import MLRT, frame_count, lavfi_video, probe


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
