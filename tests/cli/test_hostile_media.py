"""Hostile and unusual media through `mlrt run`: each input either works (exit 0, a valid output),
or ends in one line of error naming the input and what is wrong with it (exit 1, no output left
behind; exit 3, damaged input whose decodable frames were written). Never a signal, a hang or a
second, foreign line of error. The inputs are made here with ffmpeg; scripts/test.sh also runs
this file against an ASan+UBSan+LSan build of the command line."""
import subprocess

import pytest

from helpers import MLRT, ffmpeg, frame_count, lavfi_image, lavfi_video, probe, size_changing_clip, video_stream

# Generous under ASan; a hang is what it catches, not slowness.
TIMEOUT = 120


def run(model, src, out, *extra):
    """Runs mlrt on a hostile input and checks the rules every outcome must follow."""
    try:
        p = subprocess.run([str(MLRT), "run", "--quiet", *map(str, extra), str(model), str(src), str(out)],
                           capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"mlrt hung on {src.name} (over {TIMEOUT} s)")
    assert p.returncode >= 0, f"mlrt died of signal {-p.returncode} on {src.name}:\n{p.stderr}"
    assert p.returncode in (0, 1, 3), f"exit {p.returncode} on {src.name}:\n{p.stderr}"
    assert "Traceback" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    assert "Sanitizer" not in p.stderr, p.stderr
    lines = p.stderr.splitlines()
    errors = [line for line in lines if line.startswith("mlrt: error: ")]
    # Only mlrt's own lines: the error (at most one, and last), and warnings before it.
    assert all(line.startswith(("mlrt: error: ", "mlrt: warning: ")) for line in lines), p.stderr
    if p.returncode == 0:
        assert not errors, p.stderr
        assert out.exists() and frame_count(out) >= 1, f"no valid output from {src.name}"
    else:
        assert len(errors) == 1 and lines[-1] == errors[0], p.stderr
        assert src.name in errors[0], f"the error does not name {src.name}: {errors[0]}"
        if p.returncode == 1:
            assert not out.exists(), f"{out.name} left behind after an error"
        else:
            # Damaged input: the frames that decoded were written, and the file is whole.
            assert "decoding error" in errors[0], errors[0]
            assert out.exists() and frame_count(out) >= 1
    return p.returncode, errors[0] if errors else ""


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """Noisy frames, so that each is large and a cut lands inside one."""
    d = tmp_path_factory.mktemp("hostile")
    return lavfi_video(d / "clip.mkv", size="160x90", rate=10, duration=1, vf="noise=alls=60")


def test_truncated_in_the_middle_of_a_frame(models, clip, tmp_path):
    data = clip.read_bytes()
    src = tmp_path / "cut.mkv"
    src.write_bytes(data[: len(data) * 3 // 5])
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    # The frames before the cut are good; the one cut through is lost or reported.
    assert code in (0, 3), err
    assert frame_count(tmp_path / "out.mkv") < frame_count(clip)


def test_garbage_appended(models, clip, tmp_path):
    src = tmp_path / "tail.mkv"
    src.write_bytes(clip.read_bytes() + bytes(range(256)) * 64)
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    assert code in (0, 3), err
    assert frame_count(tmp_path / "out.mkv") == frame_count(clip)


def test_mkv_without_cues(models, tmp_path):
    # No index: Matroska cut just before its Cues (which follow the clusters), read front to back.
    src = lavfi_video(tmp_path / "full.mkv", size="64x48", rate=10, duration=1)
    data = src.read_bytes()
    cues = data.rfind(b"\x1c\x53\xbb\x6b")  # the Cues element's ID
    assert cues > len(data) // 2, "no Cues after the clusters"
    bare = tmp_path / "nocues.mkv"
    bare.write_bytes(data[:cues])
    code, err = run(models["identity"], bare, tmp_path / "out.mkv")
    assert code == 0, err
    assert frame_count(tmp_path / "out.mkv") == 10


def test_mp4_whose_moov_was_never_written(models, tmp_path):
    # An mp4 recording cut off before its index (moov at the end) was written.
    src = tmp_path / "rec.mp4"
    lavfi_video(src, size="64x48", rate=10, duration=1, codec="mpeg4")
    data = src.read_bytes()
    moov = data.rfind(b"moov")
    assert moov > 0
    cut = tmp_path / "nomoov.mp4"
    cut.write_bytes(data[: moov - 4])
    code, err = run(models["identity"], cut, tmp_path / "out.mkv")
    assert code == 1 and "moov atom not found" in err, err


def test_zero_video_frames(models, tmp_path):
    # A video stream is declared, but no frame follows: a bare y4m header.
    src = tmp_path / "empty.y4m"
    src.write_bytes(b"YUV4MPEG2 W64 H48 F10:1 Ip A1:1 C420jpeg\n")
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    assert code == 1 and "has no video frames" in err, err


@pytest.mark.parametrize("container", ["mkv", "nut", "mp4"])
def test_zero_video_frames_written_by_ffmpeg(models, tmp_path, container):
    src = tmp_path / f"empty.{container}"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48", "-frames:v", "0", "-c:v", "mpeg4", src)
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    assert code == 1, err


def test_audio_only(models, tmp_path):
    src = tmp_path / "sine.mka"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "flac", src)
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    assert code == 1 and "has no video stream" in err, err


@pytest.mark.parametrize("model", ["identity", "upscale2x"])
def test_one_pixel_image(models, tmp_path, model):
    src = lavfi_image(tmp_path / "dot.png", size="16x16", vf="scale=1:1")
    code, err = run(models[model], src, tmp_path / "out.png")
    assert code == 0, err
    side = 2 if model == "upscale2x" else 1
    s = video_stream(probe(tmp_path / "out.png"))
    assert (s["width"], s["height"]) == (side, side)


def test_png_with_a_bad_crc(models, tmp_path):
    src = lavfi_image(tmp_path / "ok.png", size="64x48")
    data = bytearray(src.read_bytes())
    idat = data.find(b"IDAT")
    length = int.from_bytes(data[idat - 4:idat], "big")
    data[idat + 4 + length] ^= 0xFF  # the chunk's CRC, right after its data
    bad = tmp_path / "badcrc.png"
    bad.write_bytes(bytes(data))
    # FFmpeg does not check PNG CRCs by default; the pixels themselves are intact.
    code, err = run(models["identity"], bad, tmp_path / "out.png")
    assert code == 0, err


def test_png_with_damaged_pixel_data(models, tmp_path):
    src = lavfi_image(tmp_path / "ok.png", size="64x48", vf="noise=alls=60")
    data = bytearray(src.read_bytes())
    idat = data.find(b"IDAT")
    for i in range(idat + 8, idat + 40):
        data[i] ^= 0x5A  # inside the compressed stream, after its header
    bad = tmp_path / "damaged.png"
    bad.write_bytes(bytes(data))
    code, err = run(models["identity"], bad, tmp_path / "out.png")
    assert code == 1 and "cannot decode input" in err, err


def test_wrong_extension(models, tmp_path):
    # Content decides: a Matroska file called .png and a PNG called .mp4 both work.
    mkv = lavfi_video(tmp_path / "v.mkv", size="64x48", rate=10, duration=0.5)
    fake_png = tmp_path / "video.png"
    fake_png.write_bytes(mkv.read_bytes())
    code, err = run(models["identity"], fake_png, tmp_path / "out.mkv")
    assert code == 0, err
    assert frame_count(tmp_path / "out.mkv") == 5
    png = lavfi_image(tmp_path / "i.png", size="64x48")
    fake_mp4 = tmp_path / "image.mp4"
    fake_mp4.write_bytes(png.read_bytes())
    code, err = run(models["identity"], fake_mp4, tmp_path / "out.png")
    assert code == 0, err


def test_size_changes_midway(models, tmp_path):
    joined = size_changing_clip(tmp_path)
    code, err = run(models["identity"], joined, tmp_path / "out.mkv")
    assert code == 1 and "changes size at frame" in err and "64x48 to 80x48" in err, err


# Chroma layouts and bit depths seldom seen; ffv1 in Matroska writes them all.
@pytest.mark.parametrize("pix_fmt", ["yuv411p", "yuv440p", "yuv410p", "yuv420p9le", "yuv444p12le",
                                     "yuv420p14le", "gbrp14le", "yuv440p12le", "gray10le", "gray12le"])
def test_unusual_chroma_and_depth(models, tmp_path, pix_fmt):
    # Odd sizes too: the last chroma sample then covers a partial block.
    src = lavfi_video(tmp_path / f"{pix_fmt}.mkv", size="64x36", rate=10, duration=0.3, pix_fmt=pix_fmt,
                      vf="scale=61:35")
    assert video_stream(probe(src))["pix_fmt"] == pix_fmt
    code, err = run(models["identity"], src, tmp_path / "out.mkv")
    assert code == 0, err
    s = video_stream(probe(tmp_path / "out.mkv"))
    assert (s["width"], s["height"]) == (61, 35)
    assert frame_count(tmp_path / "out.mkv") == 3


# --deinterlace puts bwdif between the decoder and the model: the same rules hold through it.
@pytest.mark.parametrize("pix_fmt", ["yuv411p", "yuv440p", "yuv420p14le", "gbrp14le", "gray12le", "rgb24"])
def test_deinterlace_unusual_chroma_and_depth(models, tmp_path, pix_fmt):
    packed = pix_fmt == "rgb24"  # a format bwdif cannot take: FFmpeg converts it first
    src = lavfi_video(tmp_path / f"{pix_fmt}.{'nut' if packed else 'mkv'}", size="64x36", rate=10, duration=0.3, pix_fmt=pix_fmt,
                      codec="rawvideo" if packed else "ffv1", vf="scale=61:35")
    code, err = run(models["identity"], src, tmp_path / "out.mkv", "--deinterlace", "field")
    assert code == 0, err
    s = video_stream(probe(tmp_path / "out.mkv"))
    assert (s["width"], s["height"]) == (61, 35)
    assert frame_count(tmp_path / "out.mkv") == 6


def test_deinterlace_truncated_input(models, clip, tmp_path):
    data = clip.read_bytes()
    src = tmp_path / "cut.mkv"
    src.write_bytes(data[: len(data) * 3 // 5])
    code, err = run(models["identity"], src, tmp_path / "out.mkv", "--deinterlace")
    assert code in (0, 3), err
    assert 1 <= frame_count(tmp_path / "out.mkv") < frame_count(clip)


# Alpha in the layouts FFmpeg has (planar, packed, 16-bit, big-endian), at an odd size: copied at
# scale 1, through the model at scale 2, written into whichever alpha layout FFV1 takes.
@pytest.mark.parametrize("pix_fmt", ["yuva420p", "yuva444p16le", "gbrap10le", "rgba", "bgra", "argb",
                                     "rgba64be", "ya8", "ya16be"])
@pytest.mark.parametrize("model", ["identity", "upscale2x"])
def test_alpha_layouts(models, tmp_path, pix_fmt, model):
    vf = "format=rgba,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='X*4',scale=61:35"
    if pix_fmt.endswith("be"):  # PNG holds these
        src = lavfi_image(tmp_path / f"{pix_fmt}.png", size="64x36", pix_fmt=pix_fmt, vf=vf)
    else:
        planar = pix_fmt.startswith(("yuva", "gbrap"))
        src = lavfi_video(tmp_path / f"{pix_fmt}.{'mkv' if planar else 'nut'}", size="64x36", rate=10,
                          duration=0.2, pix_fmt=pix_fmt, codec="ffv1" if planar else "rawvideo", vf=vf)
    assert video_stream(probe(src))["pix_fmt"] == pix_fmt
    gray = pix_fmt.startswith("ya")
    code, err = run(models[("gray-" if gray else "") + model], src, tmp_path / "out.mkv")
    assert code == 0, err
    s = video_stream(probe(tmp_path / "out.mkv"))
    side = 2 if model == "upscale2x" else 1
    assert (s["width"], s["height"]) == (61 * side, 35 * side)
    assert "a" in s["pix_fmt"].replace("gray", ""), s["pix_fmt"]  # an alpha format


# --planes yuv on subsampled, odd-sized and deep sources: 4:4:4 by default, or back at the source's
# subsampling.
@pytest.mark.parametrize("pix_fmt", ["yuv420p", "yuv411p", "yuv440p12le", "nv12", "yuva422p"])
def test_planes_yuv_unusual_chroma(models, tmp_path, pix_fmt):
    codec = "rawvideo" if pix_fmt == "nv12" else "ffv1"
    src = lavfi_video(tmp_path / f"{pix_fmt}.{'nut' if codec == 'rawvideo' else 'mkv'}", size="64x36", rate=10,
                      duration=0.2, pix_fmt=pix_fmt, codec=codec, vf="scale=61:35")
    assert video_stream(probe(src))["pix_fmt"] == pix_fmt
    for extra in ((), ("--pix-fmt", "yuv420p")):
        out = tmp_path / f"out{len(extra)}.mkv"
        code, err = run(models["upscale2x"], src, out, "--planes", "yuv", *extra)
        assert code == 0, err
        s = video_stream(probe(out))
        assert (s["width"], s["height"]) == (122, 70)
