"""Frame-exact ranges (mlrt run --frames A:B seeks) and lossless joining (mlrt concat): a range
holds exactly the frames, and timestamps, a full run writes for it; segments join into the
full run's file; segments that do not fit are refused, naming the segment."""

import pytest

from helpers import audio_bytes, ffmpeg, framemd5, have_encoder, lavfi_video, mlrt, probe

FRAMES = 48  # 2 s at 24 fps


def long_gop(extra=()):
    # Keyframes every 12 frames, B-frames between: frames 12, 24, 36 are keyframes, others not.
    return ["-g", "12", "-bf", "2", *extra]


SOURCES = {
    "ffv1": dict(name="in.mkv", codec="ffv1", extra=()),
    "x264": dict(name="in.mkv", codec="libx264",
                 extra=long_gop(["-x264-params", "scenecut=0:keyint_min=12"])),
    "x265": dict(name="in.mkv", codec="libx265",
                 extra=long_gop(["-x265-params", "scenecut=0:log-level=error"])),
    "mpeg2": dict(name="in.mkv", codec="mpeg2video", extra=long_gop(["-q:v", "4"])),
    "mpeg2-ts": dict(name="in.ts", codec="mpeg2video", extra=long_gop(["-q:v", "4"])),
    "prores": dict(name="in.mov", codec="prores_ks", extra=(), pix_fmt="yuv422p10le"),
}


def make_source(kind, d):
    if kind == "png-sequence":
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=24:duration=2", "-pix_fmt", "rgb24",
               d / "in_%03d.png")
        return d / "in_%03d.png"
    s = SOURCES[kind]
    if not have_encoder(s["codec"]):
        pytest.skip(f"FFmpeg has no {s['codec']} encoder")
    return lavfi_video(d / s["name"], size="64x48", duration=2, codec=s["codec"],
                       pix_fmt=s.get("pix_fmt", "yuv420p"), extra=s["extra"])


@pytest.mark.parametrize("kind", ["ffv1", "x264", "x265", "mpeg2", "mpeg2-ts", "prores",
                                  "png-sequence"])
def test_frames_equal_the_full_run(models, tmp_path, kind):
    src = make_source(kind, tmp_path)
    full = tmp_path / "full.mkv"
    mlrt("run", "-q", models["identity"], src, full)
    reference = framemd5(full)
    assert len(reference) == FRAMES
    # On keyframes (12, 36 for the long-GOP sources), off them, a single frame, an open end.
    for a, b in ((12, 30), (17, 33), (5, 9), (23, 24), (36, None), (0, 7)):
        out = tmp_path / f"part_{a}.mkv"
        p = mlrt("run", "-v", "--frames", f"{a}:{'' if b is None else b}", models["identity"],
                 src, out)
        got = framemd5(out)
        assert got == reference[a:b], f"--frames {a}:{b} of {kind}"
        if a > 0:
            assert "not seeking" not in p.stderr, p.stderr  # it seeked, rather than decoded all


def test_probe_lists_frames_and_keyframes(tmp_path):
    if not have_encoder("libx264"):
        pytest.skip("FFmpeg has no libx264 encoder")
    src = make_source("x264", tmp_path)
    import json
    info = json.loads(mlrt("probe", "--json", src).stdout)
    assert info["frames"] == FRAMES and info["keyframes"] == [0, 12, 24, 36]
    assert (info["width"], info["height"], info["codec"]) == (64, 48, "h264")
    assert "48" in mlrt("probe", src).stdout


@pytest.fixture(scope="module")
def av_clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("concat")
    return lavfi_video(d / "av.mkv", size="64x48", duration=2, audio=True)


@pytest.fixture()
def segments(models, av_clip, tmp_path):
    """segments(*ranges, **run flags): paths of `mlrt run --frames` outputs of av_clip."""
    def make(*ranges, model="upscale2x", flags=()):
        out = []
        for r in ranges:
            p = tmp_path / f"seg_{r.replace(':', '_')}_{model}{len(flags)}.mkv"
            if p.exists():  # the same range, model and flags: already made
                out.append(p)
                continue
            mlrt("run", "-q", "--no-copy", *flags, "--frames", r, models[model], av_clip, p)
            out.append(p)
        return out
    return make


def test_concat_equals_the_full_run(models, av_clip, segments, tmp_path):
    full = tmp_path / "full.mkv"
    mlrt("run", "-q", models["upscale2x"], av_clip, full)
    parts = segments("0:12", "12:30", "30:48")
    out = tmp_path / "joined.mkv"
    # Any order: they are put in frame order.
    mlrt("concat", out, parts[2], parts[0], parts[1], "--audio-from", av_clip)
    assert framemd5(out) == framemd5(full)
    assert audio_bytes(out) == audio_bytes(full) and len(audio_bytes(out)) > 0
    assert probe(out)["format"]["tags"]["MLRT_FRAMES"] == "0:48"
    # An open-ended last segment, and video only without --audio-from.
    parts = segments("0:20", "20:")
    mlrt("concat", tmp_path / "v.mkv", *parts)
    assert framemd5(tmp_path / "v.mkv") == framemd5(full)
    assert [s["codec_type"] for s in probe(tmp_path / "v.mkv")["streams"]] == ["video"]


def test_concat_of_a_middle_part_cuts_the_audio(models, av_clip, segments, tmp_path):
    part = tmp_path / "part.mkv"
    mlrt("run", "-q", "--frames", "12:36", models["upscale2x"], av_clip, part)
    out = tmp_path / "joined.mkv"
    mlrt("concat", out, *segments("12:24", "24:36"), "--audio-from", av_clip)
    assert framemd5(out) == framemd5(part)
    assert audio_bytes(out) == audio_bytes(part)


def refused(*args):
    p = mlrt(*args, check=False)
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("mlrt: error: ") and p.stderr.count("\n") == 1, p.stderr
    return p.stderr


def no_output_left(tmp_path, name):
    assert not (tmp_path / name).exists()
    assert not list(tmp_path.glob(".*partial*")), list(tmp_path.glob(".*"))


def test_concat_refuses_overlapping_ranges(segments, tmp_path):
    a, b = segments("0:12", "10:24")
    err = refused("concat", tmp_path / "o.mkv", a, b)
    assert "overlaps" in err and b.name in err and "10:24" in err
    no_output_left(tmp_path, "o.mkv")
    # Overlap of an open-ended segment shows only when its frames are counted.
    a, b = segments("0:", "30:48")
    err = refused("concat", tmp_path / "o.mkv", a, b)
    assert "overlaps" in err and b.name in err
    no_output_left(tmp_path, "o.mkv")


def test_concat_refuses_a_missing_range(segments, tmp_path):
    parts = segments("0:12", "24:36", "36:48")
    err = refused("concat", tmp_path / "o.mkv", *parts)
    assert "frames 12:24 are missing" in err and parts[1].name in err
    no_output_left(tmp_path, "o.mkv")
    # An open-ended segment followed by one further on: the gap shows once its frames are counted.
    a, b = segments("0:12", "30:")
    err = refused("concat", tmp_path / "o.mkv", a, b)
    assert "12:30" in err and "missing" in err


def test_concat_refuses_mismatched_formats(segments, tmp_path):
    a, = segments("0:12")
    b, = segments("12:24", model="identity")  # 64x48, not the upscaled 128x96
    err = refused("concat", tmp_path / "o.mkv", a, b)
    assert b.name in err and "does not fit" in err and "64x48" in err and "128x96" in err
    c, = segments("12:24", flags=("--pix-fmt", "yuv444p"))
    err = refused("concat", tmp_path / "o.mkv", a, c)
    assert c.name in err and "yuv444p" in err
    no_output_left(tmp_path, "o.mkv")


def test_concat_refuses_other_sources_and_foreign_files(models, segments, tmp_path):
    a, = segments("0:12")
    other = lavfi_video(tmp_path / "other.mkv", size="64x48", duration=2, rate=24, vf="hflip")
    b = tmp_path / "other_seg.mkv"
    mlrt("run", "-q", "--frames", "12:24", models["upscale2x"], other, b)
    err = refused("concat", tmp_path / "o.mkv", a, b)
    assert b.name in err and "another input" in err
    err = refused("concat", tmp_path / "o.mkv", a, "--audio-from", other)
    assert "--audio-from" in err
    plain = lavfi_video(tmp_path / "plain.mkv", size="128x96", duration=0.5)
    err = refused("concat", tmp_path / "o.mkv", a, plain)
    assert plain.name in err and "no frame range" in err
    no_output_left(tmp_path, "o.mkv")


def test_concat_never_overwrites_without_y(segments, tmp_path):
    a, b = segments("0:12", "12:24")
    out = tmp_path / "o.mkv"
    out.write_bytes(b"keep me")
    err = refused("concat", out, a, b)
    assert "exists" in err and "-y" in err
    assert out.read_bytes() == b"keep me"
    mlrt("concat", "-y", out, a, b)
    assert len(framemd5(out)) == 24
    # A failed join leaves the file that was there.
    c, = segments("30:36")
    refused("concat", "-y", out, a, b, c)
    assert len(framemd5(out)) == 24
    assert not list(tmp_path.glob(".*partial*"))
    assert "is one of the segments" in refused("concat", "-y", a, a, b)
