"""mlrt run on video: sizes, frame counts, bit depths, colour round trips, stream copy,
frame ranges, Y4M output, parallel streams."""
import re
import subprocess

import numpy as np
import pytest

from helpers import (MLRT, frame_count, have_encoder, lavfi_video, mlrt, probe, psnr, raw_frames,
                     video_stream)


@pytest.fixture(scope="module")
def clip8(tmp_path_factory):
    return lavfi_video(tmp_path_factory.mktemp("v") / "in8.mkv", size="160x90", duration=1)


def test_upscale_8bit_420_video(models, clip8, tmp_path):
    out = tmp_path / "out.mkv"
    p = mlrt("run", models["upscale2x"], clip8, out)
    assert "wrote 24 frame(s) of 320x180" in p.stderr and "fps" in p.stderr
    v = video_stream(probe(out))
    assert (v["width"], v["height"]) == (320, 180)
    assert v["codec_name"] == "ffv1" and v["pix_fmt"] == "yuv420p"
    assert frame_count(out) == 24
    # Untagged SD input: BT.601 assumed, and written explicitly so the HD-sized output is not
    # taken for BT.709 by players.
    assert v["color_space"] == "smpte170m" and v["color_range"] == "tv"


def test_upscale_10bit_420_video_keeps_depth(models, tmp_path):
    src = lavfi_video(tmp_path / "in10.mkv", size="160x90", duration=0.5, pix_fmt="yuv420p10le")
    out = tmp_path / "out10.mkv"
    mlrt("run", models["upscale2x"], src, out)
    v = video_stream(probe(out))
    assert (v["width"], v["height"], v["pix_fmt"]) == (320, 180, "yuv420p10le")
    assert frame_count(out) == 12


def test_identity_round_trip_8bit_420(models, tmp_path):
    # Camera-like content: chroma band-limited as real video is (testsrc2's hard-edged chroma
    # is a worst case for any 4:2:0 -> 4:4:4 -> 4:2:0 resampling).
    src = lavfi_video(tmp_path / "src.mkv", size="320x180", duration=0.5, vf="gblur=sigma=1.5")
    out = tmp_path / "id.mkv"
    mlrt("run", models["identity"], src, out)
    a, b = raw_frames(src, "yuv420p"), raw_frames(out, "yuv420p")
    assert psnr(a, b) >= 50
    # Luma goes through RGB and back without any resampling: exact (or nearly) on any content.
    hard = lavfi_video(tmp_path / "hard.mkv", size="320x180", duration=0.5)
    out2 = tmp_path / "id2.mkv"
    mlrt("run", models["identity"], hard, out2)
    luma = 320 * 180
    ya = raw_frames(hard, "yuv420p").reshape(12, -1)[:, :luma]
    yb = raw_frames(out2, "yuv420p").reshape(12, -1)[:, :luma]
    assert psnr(ya, yb) >= 50


def test_identity_round_trip_8bit_444_is_near_lossless(models, tmp_path):
    src = lavfi_video(tmp_path / "src444.mkv", size="160x90", duration=0.5, pix_fmt="yuv444p")
    out = tmp_path / "out444.mkv"
    mlrt("run", models["identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "yuv444p"
    assert psnr(raw_frames(src, "yuv444p"), raw_frames(out, "yuv444p")) >= 50


def code_pattern(pix_fmt, peak, steps):
    """A geq filter filling every plane with codes 0..peak in steps that leave every low bit in
    use: content only a full-depth path gives back exactly (testsrc2's are mostly multiples of 4
    at 10 bits, and 8-bit processing of them scores 59 dB)."""
    a, b, c = steps
    return (f"format={pix_fmt},geq=lum='mod(X*{a}+Y*{b}+N*211,{peak + 1})':"
            f"cb='mod(X*{b}+Y*{c}+N*7,{peak + 1})':cr='mod(X*{c}+Y*{a}+N*13,{peak + 1})'")


def test_identity_round_trip_10bit(models, tmp_path):
    src = lavfi_video(tmp_path / "s10.mkv", size="160x90", duration=0.25, pix_fmt="yuv444p10le",
                      vf=code_pattern("yuv444p10le", 1023, (37, 101, 53)))
    a = raw_frames(src, "yuv444p10le").view("<u2")
    assert len(np.unique(a % 4)) == 4 and a.min() == 0 and a.max() == 1023
    out = tmp_path / "o10.mkv"
    mlrt("run", models["identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "yuv444p10le"
    # YUV -> float RGB -> YUV with the same matrix, unclamped in float: every code comes back,
    # out-of-gamut ones too.
    assert np.array_equal(raw_frames(out, "yuv444p10le").view("<u2"), a)


def test_full_range_tagged_input_is_honoured(models, tmp_path):
    # The same picture stored full range must come out the same as when stored limited range.
    lim = lavfi_video(tmp_path / "lim.mkv", size="160x90", duration=0.25, pix_fmt="yuv444p",
                      vf="scale=out_range=tv", extra=["-color_range", "tv"])
    full = lavfi_video(tmp_path / "full.mkv", size="160x90", duration=0.25, pix_fmt="yuv444p",
                       vf="scale=out_range=pc", extra=["-color_range", "pc"])
    mlrt("run", models["identity"], lim, tmp_path / "lim_%02d.png")
    mlrt("run", models["identity"], full, tmp_path / "full_%02d.png")
    a = raw_frames(tmp_path / "lim_01.png", "rgb24")
    b = raw_frames(tmp_path / "full_01.png", "rgb24")
    assert psnr(a, b) >= 35  # both decode to the same RGB, up to the quantisation of each


def test_audio_and_subtitles_are_copied(models, tmp_path):
    srt = tmp_path / "subs.srt"
    srt.write_text("1\n00:00:00,100 --> 00:00:00,900\nhello\n\n")
    src = lavfi_video(tmp_path / "av.mkv", size="160x90", duration=1, audio=True, subtitles=srt)
    out = tmp_path / "av_out.mkv"
    mlrt("run", models["upscale2x"], src, out)
    info = probe(out)
    kinds = sorted(s["codec_type"] for s in info["streams"])
    assert kinds == ["audio", "subtitle", "video"]
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert audio["codec_name"] == "aac"
    # Same packets: the audio decodes to the same samples as the source's.
    a = subprocess.run(["ffmpeg", "-v", "error", "-i", src, "-map", "0:a", "-f", "s16le", "-"], capture_output=True).stdout
    b = subprocess.run(["ffmpeg", "-v", "error", "-i", out, "-map", "0:a", "-f", "s16le", "-"], capture_output=True).stdout
    assert len(a) > 0 and a == b
    assert float(info["format"]["duration"]) == pytest.approx(1.0, abs=0.1)


def test_no_copy_drops_audio(models, tmp_path):
    src = lavfi_video(tmp_path / "a.mkv", size="64x48", duration=0.5, audio=True)
    out = tmp_path / "na.mkv"
    mlrt("run", "--no-copy", models["identity"], src, out)
    assert [s["codec_type"] for s in probe(out)["streams"]] == ["video"]


def test_frame_range_cuts_video_and_audio(models, tmp_path):
    src = lavfi_video(tmp_path / "r.mkv", size="96x64", duration=2, audio=True)
    out = tmp_path / "r_out.mkv"
    mlrt("run", "--frames", "12:36", models["identity"], src, out)
    assert frame_count(out) == 24
    info = probe(out)
    # The frames keep their input timestamps (so that segments join): frame 12 is at 0.5 s.
    start = float(video_stream(info)["start_time"])
    assert start == pytest.approx(float(video_stream(probe(src))["start_time"]) + 0.5, abs=0.01)
    assert float(info["format"]["duration"]) - start == pytest.approx(1.0, abs=0.1)
    # Frame 0 of the output is frame 12 of the input.
    a = raw_frames(src, "yuv420p").reshape(48, -1)[12]
    b = raw_frames(out, "yuv420p").reshape(24, -1)[0]
    assert psnr(a, b) > 30


def test_frame_range_open_ended_and_single(models, clip8, tmp_path):
    mlrt("run", "--frames", "20:", models["identity"], clip8, tmp_path / "tail.mkv")
    assert frame_count(tmp_path / "tail.mkv") == 4
    mlrt("run", "--frames", "5", models["identity"], clip8, tmp_path / "one.png")
    assert video_stream(probe(tmp_path / "one.png"))["width"] == 160


def test_timestamps_are_kept(models, tmp_path):
    # 12.5 fps variable-looking clock: the output keeps the input's frame times.
    src = lavfi_video(tmp_path / "ts.mkv", size="64x48", rate="25/2", duration=2)
    out = tmp_path / "ts_out.mkv"
    mlrt("run", models["identity"], src, out)
    def times(p):
        r = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time",
                            "-of", "csv=p=0", str(p)], capture_output=True, text=True, check=True)
        return [float(x) for x in r.stdout.split()]
    assert times(out) == pytest.approx(times(src), abs=1e-3)


def test_y4m_to_stdout(models, clip8, tmp_path):
    p = mlrt("run", "--quiet", models["upscale2x"], clip8, "-", binary=True)
    assert p.stdout.startswith(b"YUV4MPEG2 W320 H180 F24:1")
    assert p.stdout.count(b"FRAME\n") == 24
    assert p.stderr == b""  # --quiet: nothing but the stream
    y4m = tmp_path / "out.y4m"
    y4m.write_bytes(p.stdout)
    assert frame_count(y4m) == 24


def test_y4m_to_stdout_10bit(models, tmp_path):
    src = lavfi_video(tmp_path / "in10.mkv", size="64x48", duration=0.25, pix_fmt="yuv420p10le")
    p = mlrt("run", "-q", models["identity"], src, "-", binary=True)
    assert b"C420p10" in p.stdout.split(b"\n", 1)[0]


def test_streams_do_not_change_the_output(models, clip8, tmp_path):
    outs = []
    for streams in ("1", "3"):
        out = tmp_path / f"s{streams}.mkv"
        mlrt("run", "--streams", streams, "--tilesize", "64", "--overlap", "4", models["upscale2x"], clip8, out)
        outs.append(raw_frames(out, "yuv420p"))
    assert np.array_equal(outs[0], outs[1])


@pytest.mark.skipif(not have_encoder("libx264"), reason="FFmpeg without libx264")
def test_crf_selects_x264(models, clip8, tmp_path):
    out = tmp_path / "x.mkv"
    mlrt("run", "--crf", "20", "--preset", "ultrafast", models["upscale2x"], clip8, out)
    assert video_stream(probe(out))["codec_name"] == "h264"
    assert frame_count(out) == 24
    mp4 = tmp_path / "x.mp4"
    mlrt("run", models["upscale2x"], clip8, mp4)  # mp4 cannot hold FFV1: x264 by default
    assert video_stream(probe(mp4))["codec_name"] == "h264"


@pytest.mark.skipif(not have_encoder("libx265"), reason="FFmpeg without libx265")
def test_x265_keeps_10bit(models, tmp_path):
    src = lavfi_video(tmp_path / "in10.mkv", size="64x48", duration=0.25, pix_fmt="yuv420p10le")
    out = tmp_path / "x.mkv"
    mlrt("run", "--codec", "x265", "--crf", "24", models["identity"], src, out)
    v = video_stream(probe(out))
    assert (v["codec_name"], v["pix_fmt"]) == ("hevc", "yuv420p10le")


def test_image_sequence_out_and_in(models, clip8, tmp_path):
    pattern = tmp_path / "f_%03d.png"
    mlrt("run", "--frames", ":5", models["upscale2x"], clip8, pattern)
    names = sorted(p.name for p in tmp_path.glob("f_*.png"))
    assert names == [f"f_{i:03d}.png" for i in range(1, 6)]
    out = tmp_path / "seq.mkv"
    mlrt("run", models["identity"], pattern, out)
    assert frame_count(out) == 5
    assert video_stream(probe(out))["width"] == 320


def test_progress_line_on_a_terminal_only(models, clip8, tmp_path):
    import os
    import pty
    p = mlrt("run", models["identity"], clip8, tmp_path / "a.mkv")
    assert "\r" not in p.stderr and "ETA" not in p.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(MLRT), "run", models["identity"], clip8, tmp_path / "b.mkv"], stderr=slave,
                            stdout=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0
    os.close(master)
    text = b"".join(chunks).decode(errors="replace")
    assert re.search(r"frame \d+/24 \(\d+%\)\s+[\d.]+ fps", text), text
    assert "wrote 24 frame(s)" in text


def test_12bit_422_source(models, tmp_path):
    src = lavfi_video(tmp_path / "s12.mkv", size="96x64", duration=0.25, pix_fmt="yuv422p12le")
    out = tmp_path / "o12.mkv"
    mlrt("run", models["upscale2x"], src, out)
    v = video_stream(probe(out))
    assert (v["width"], v["pix_fmt"]) == (192, "yuv422p12le")


@pytest.mark.parametrize("matrix,range_,primaries,trc", [
    ("bt709", "pc", "bt709", "bt709"),
    ("bt2020nc", "tv", "bt2020", "smpte2084"),
    ("smpte170m", "tv", "smpte170m", "smpte170m"),
])
def test_colour_tags_are_honoured_and_kept(models, tmp_path, matrix, range_, primaries, trc):
    sws_matrix = {"bt709": "bt709", "bt2020nc": "bt2020", "smpte170m": "bt601"}[matrix]
    # 4:4:4, so that only the matrix and range decide the RGB values (no chroma resampling).
    src = lavfi_video(tmp_path / "tagged.mkv", size="96x64", duration=0.25, pix_fmt="yuv444p10le",
                      vf=f"scale=out_color_matrix={sws_matrix}:out_range={range_}",
                      extra=["-colorspace", matrix, "-color_range", range_, "-color_primaries", primaries,
                             "-color_trc", trc])
    out = tmp_path / "tagged_out.mkv"
    mlrt("run", models["identity"], src, out)
    v = video_stream(probe(out))
    assert (v["color_space"], v["color_range"], v["color_primaries"], v["color_transfer"]) == (
        matrix, range_, primaries, trc)
    # The RGB the model saw is what FFmpeg makes of the tagged source.
    mlrt("run", models["identity"], src, tmp_path / "rgb_%02d.png", "--pix-fmt", "rgb48be")
    ours = raw_frames(tmp_path / "rgb_01.png", "rgb48le").view("<u2")
    ref = raw_frames(src, "rgb48le", extra=["-frames:v", "1", "-vf",
                                            f"scale=in_color_matrix={sws_matrix}:in_range={range_}"]).view("<u2")
    assert psnr(ours, ref, peak=65535.0) > 50  # a wrong matrix or range gives about 30


def test_chroma_siting_is_kept(models, tmp_path):
    src = lavfi_video(tmp_path / "site.mkv", size="96x64", duration=0.25, extra=["-chroma_sample_location", "topleft"])
    out = tmp_path / "site_out.mkv"
    mlrt("run", models["identity"], src, out)
    assert video_stream(probe(out))["chroma_location"] == "topleft"


def test_y4m_pipe_between_two_mlrt_runs(models, clip8, tmp_path):
    out = tmp_path / "piped.mkv"
    first = subprocess.Popen([str(MLRT), "run", "-q", models["identity"], clip8, "-"], stdout=subprocess.PIPE)
    second = subprocess.run([str(MLRT), "run", "-q", models["upscale2x"], "-", out], stdin=first.stdout,
                            capture_output=True, text=True)
    first.stdout.close()
    assert first.wait() == 0 and second.returncode == 0, second.stderr
    assert frame_count(out) == 24 and video_stream(probe(out))["width"] == 320


def test_y4m_file_output(models, clip8, tmp_path):
    out = tmp_path / "o.y4m"
    mlrt("run", models["identity"], clip8, out)
    assert out.read_bytes().startswith(b"YUV4MPEG2 W160 H90")
    assert frame_count(out) == 24


def test_y4m_refuses_a_terminal(models, clip8):
    import os
    import pty
    master, slave = pty.openpty()
    p = subprocess.run([str(MLRT), "run", models["identity"], clip8, "-"], stdout=slave, stderr=subprocess.PIPE,
                       text=True, timeout=60)
    os.close(slave)
    os.close(master)
    assert p.returncode == 1 and "refusing to write a Y4M stream to a terminal" in p.stderr


@pytest.mark.parametrize("pix_fmt", ["yuv420p", "nv12"])
def test_odd_sized_subsampled_video(models, tmp_path, pix_fmt):
    src = tmp_path / "odd.nut"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:duration=0.25",
                    "-vf", "scale=161:91,gblur=sigma=1.5", "-pix_fmt", pix_fmt, "-c:v", "rawvideo", src], check=True)
    out = tmp_path / "odd_id.mkv"
    mlrt("run", models["identity"], src, out)
    v = video_stream(probe(out))
    assert (v["width"], v["height"], v["pix_fmt"]) == (161, 91, "yuv420p")
    assert psnr(raw_frames(src, "yuv420p"), raw_frames(out, "yuv420p")) >= 45
    up = tmp_path / "odd_up.mkv"
    mlrt("run", models["upscale2x"], src, up)
    assert (video_stream(probe(up))["width"], video_stream(probe(up))["height"]) == (322, 182)


@pytest.mark.parametrize("ext,codec,audio", [
    ("mkv", "ffv1", True), ("avi", "ffv1", True), ("nut", "ffv1", True),
    ("mp4", "h264", True), ("mov", "h264", True), ("ts", "h264", True),
    ("mpg", "h264", False),  # the MPEG-PS muxer refuses AAC: the video is written alone
    ("gif", "gif", False), ("y4m", "wrapped_avframe", False),
])
def test_containers(models, tmp_path, ext, codec, audio):
    if codec == "h264" and not have_encoder("libx264"):
        pytest.skip("FFmpeg without libx264")
    src = lavfi_video(tmp_path / "a.mkv", size="64x48", duration=0.25, audio=True)
    out = tmp_path / f"out.{ext}"
    p = mlrt("run", models["upscale2x"], src, out)
    info = probe(out)
    v = video_stream(info)
    if ext != "y4m":
        assert v["codec_name"] == codec
    assert (v["width"], v["height"]) == (128, 96)
    assert any(s["codec_type"] == "audio" for s in info["streams"]) == audio
    if not audio and ext != "y4m":
        assert "not copying" in p.stderr


def test_16bit_yuv_source(models, tmp_path):
    src = lavfi_video(tmp_path / "s16.mkv", size="64x48", duration=0.25, pix_fmt="yuv444p16le",
                      vf=code_pattern("yuv444p16le", 65535, (2377, 10007, 5303)))
    a = raw_frames(src, "yuv444p16le").view("<u2")
    assert len(np.unique(a & 0xFF)) == 256 and a.max() > 65000
    out = tmp_path / "o16.mkv"
    mlrt("run", models["identity"], src, out)
    assert video_stream(probe(out))["pix_fmt"] == "yuv444p16le"
    assert np.array_equal(raw_frames(out, "yuv444p16le").view("<u2"), a)


def peak_rss_kib(args):
    import os
    proc = subprocess.Popen([str(MLRT), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0
    return usage.ru_maxrss


def test_memory_stays_flat_on_long_inputs(models, tmp_path):
    short = lavfi_video(tmp_path / "short.mkv", size="320x180", duration=1)
    long = lavfi_video(tmp_path / "long.mkv", size="320x180", duration=12)
    a = peak_rss_kib(["run", "-q", "--streams", "2", models["upscale2x"], short, tmp_path / "a.mkv"])
    b = peak_rss_kib(["run", "-q", "--streams", "2", models["upscale2x"], long, tmp_path / "b.mkv"])
    assert frame_count(tmp_path / "b.mkv") == 288
    assert b < a * 1.2 + 16 * 1024, (a, b)  # 12x the frames, about the same memory
