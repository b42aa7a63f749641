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
    # Wait until encoding is under way (the file has data), then interrupt.
    deadline = time.time() + 60
    while time.time() < deadline and (not out.exists() or out.stat().st_size < 200_000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    n = frame_count(out)
    assert 0 < n < 720
    # The container is finished: it has a duration and the audio stops near the video.
    info = probe(out)
    assert float(info["format"]["duration"]) == pytest.approx(n / 24, abs=0.5)
    decode = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"], capture_output=True, text=True)
    assert decode.returncode == 0 and decode.stderr == ""
