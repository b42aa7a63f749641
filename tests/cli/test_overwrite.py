"""mlrt run never replaces an existing output unless -y/--overwrite says so (ffmpeg's convention)."""
from helpers import lavfi_image, lavfi_video, mlrt, size_changing_clip


def _untouched(path, before):
    st = path.stat()
    assert path.read_bytes() == before[0] and st.st_mtime_ns == before[1], f"{path} was modified"


def _snapshot(path):
    return path.read_bytes(), path.stat().st_mtime_ns


def test_existing_video_is_refused_and_left_untouched(models, tmp_path):
    src = tmp_path / "in.mkv"
    lavfi_video(src, duration=0.25)
    out = tmp_path / "out.mkv"
    out.write_bytes(b"precious, not a video")
    before = _snapshot(out)
    p = mlrt("run", "-q", models["identity"], src, out, check=False)
    assert p.returncode == 1, p.stderr
    assert f"output '{out}' exists" in p.stderr and "-y" in p.stderr
    _untouched(out, before)
    mlrt("run", "-q", "-y", models["identity"], src, out)
    assert out.read_bytes() != before[0] and out.stat().st_size > 100
    mlrt("run", "-q", "--overwrite", models["identity"], src, out)


def test_existing_image_and_sequence_are_refused(models, tmp_path):
    src = tmp_path / "in.png"
    lavfi_image(src)
    img = tmp_path / "out.png"
    mlrt("run", "-q", models["identity"], src, img)
    before = _snapshot(img)
    p = mlrt("run", "-q", models["identity"], src, img, check=False)
    assert p.returncode == 1 and f"output '{img}' exists" in p.stderr
    _untouched(img, before)

    clip = tmp_path / "clip.mkv"
    lavfi_video(clip, duration=0.25)
    first = tmp_path / "seq_00001.png"
    first.write_bytes(b"keep me")
    p = mlrt("run", "-q", models["identity"], clip, tmp_path / "seq_%05d.png", check=False)
    assert p.returncode == 1 and f"output '{first}' exists" in p.stderr, p.stderr
    assert first.read_bytes() == b"keep me"
    assert not (tmp_path / "seq_00002.png").exists()
    mlrt("run", "-q", "-y", models["identity"], clip, tmp_path / "seq_%05d.png")
    assert first.read_bytes() != b"keep me" and (tmp_path / "seq_00002.png").exists()


def test_standard_output_needs_no_flag(models, tmp_path):
    clip = tmp_path / "clip.mkv"
    lavfi_video(clip, duration=0.25)
    p = mlrt("run", "-q", models["identity"], clip, "-", binary=True, check=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"YUV4MPEG2")


def test_a_failing_run_leaves_the_file_it_would_replace(models, tmp_path):
    # -y replaces the output only when the run succeeds: it is written under a hidden name and
    # renamed at the end, so a run that fails half way leaves the old file as it was.
    out = tmp_path / "out.mkv"
    lavfi_video(out, duration=0.25)
    before = _snapshot(out)
    changing = size_changing_clip(tmp_path)  # fails at the frame where the size changes
    p = mlrt("run", "-q", "-y", models["identity"], changing, out, check=False)
    assert p.returncode == 1 and "changes size" in p.stderr, p.stderr
    _untouched(out, before)
    assert sorted(f.name for f in tmp_path.iterdir() if "partial" in f.name) == []
    img = tmp_path / "out.png"
    lavfi_image(img)
    before = _snapshot(img)
    p = mlrt("run", "-q", "-y", models["identity"], tmp_path / "missing.png", img, check=False)
    assert p.returncode == 1
    _untouched(img, before)
    # A success replaces it, and leaves nothing else behind.
    mlrt("run", "-q", "-y", models["identity"], lavfi_image(tmp_path / "in.png", size="32x16"), img)
    assert img.read_bytes() != before[0]
    assert [f.name for f in tmp_path.iterdir() if "partial" in f.name] == []
