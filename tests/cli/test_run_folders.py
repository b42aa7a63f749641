"""`mlrt run MODEL DIR OUTDIR`: mixed image formats kept (or changed with --format), subfolders
with --recursive, a broken file reported at the end with exit status 3 while the others are
written, existing outputs skipped unless -y, several files at a time with --streams, and the
refusals by their messages."""
import subprocess

import pytest

from helpers import ffmpeg, mlrt


def size(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                          str(path)], capture_output=True, text=True, check=True).stdout.strip()
    return tuple(map(int, out.split(",")))


@pytest.fixture()
def photos(tmp_path):
    d = tmp_path / "photos"
    (d / "sub").mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=32x24", "-frames:v", "1", d / "a.png")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=40x30", "-frames:v", "1", d / "b.jpg")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=24x16", "-frames:v", "1", "-pix_fmt", "rgb24", d / "c.tif")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=20x12", "-frames:v", "1", d / "sub" / "d.png")
    (d / "notes.txt").write_text("not an image")
    return d


def test_folder_keeps_names_and_formats(photos, tmp_path, models):
    out = tmp_path / "out"
    p = mlrt("run", models["upscale2x"], photos, out)
    assert "wrote 3 image(s)" in p.stderr
    assert size(out / "a.png") == (64, 48) and size(out / "b.jpg") == (80, 60) and size(out / "c.tif") == (48, 32)
    assert not (out / "sub").exists() and not (out / "notes.txt").exists()
    # Existing outputs are skipped, -y replaces them; --recursive takes subfolders.
    before = (out / "a.png").stat().st_mtime_ns
    p = mlrt("run", models["upscale2x"], photos, out, "--recursive")
    assert "skipping 3 image(s) whose output exists" in p.stderr and "wrote 1 image(s)" in p.stderr
    assert (out / "a.png").stat().st_mtime_ns == before and size(out / "sub" / "d.png") == (40, 24)
    p = mlrt("run", models["upscale2x"], photos, out, "--recursive", "-y", "--streams", "2")
    assert "wrote 4 image(s)" in p.stderr and (out / "a.png").stat().st_mtime_ns != before


def test_format_changes_every_output(photos, tmp_path, models):
    out = tmp_path / "webp"
    mlrt("run", models["upscale2x"], photos, out, "--format", "webp")
    assert sorted(p.name for p in out.iterdir()) == ["a.webp", "b.webp", "c.webp"]
    assert size(out / "b.webp") == (80, 60)


def test_a_broken_file_does_not_stop_the_batch(photos, tmp_path, models):
    (photos / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = tmp_path / "out"
    p = mlrt("run", models["upscale2x"], photos, out, check=False)
    assert p.returncode == 3
    assert f"mlrt: error: {photos / 'broken.png'}:" in p.stderr
    assert "1 of 4 image(s) failed" in p.stderr and "the other 3 were written" in p.stderr
    assert sorted(x.name for x in out.iterdir()) == ["a.png", "b.jpg", "c.tif"]


def test_folder_refusals(photos, tmp_path, models):
    p = mlrt("run", models["upscale2x"], photos, photos / "a.png", check=False)
    assert p.returncode == 1 and "must be a folder too, and it is a file" in p.stderr
    p = mlrt("run", models["upscale2x"], photos, photos, check=False)
    assert p.returncode == 1 and "is the input folder" in p.stderr
    p = mlrt("run", models["upscale2x"], photos, photos / "sub" / "out", "--recursive", check=False)
    assert p.returncode == 1 and "inside input folder" in p.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    p = mlrt("run", models["upscale2x"], empty, tmp_path / "o", check=False)
    assert p.returncode == 1 and "has no images" in p.stderr
    p = mlrt("run", models["upscale2x"], photos, tmp_path / "o", "--format", "mkv", check=False)
    assert p.returncode == 1 and "--format mkv: not an image format" in p.stderr
    p = mlrt("run", models["upscale2x"], photos / "a.png", tmp_path / "x.png", "--recursive", check=False)
    assert p.returncode == 1 and "--recursive is for a folder input" in p.stderr
