"""mlrt version / info / bench / make-model / --help."""
import json
import platform
import re
from pathlib import Path

import pytest

from helpers import REPO, mlrt

SHARED_MODEL = REPO.parent / "shared" / "models" / "realesr-animevideov3-x2.onnx"


@pytest.mark.parametrize("command", ["run", "info", "bench", "version", "make-model"])
def test_every_command_has_help(command):
    p = mlrt(command, "--help")
    assert "Usage" in p.stdout
    assert p.stdout.count("--") >= 1


def test_top_level_help_lists_commands():
    out = mlrt("--help").stdout
    for c in ("run", "info", "bench", "version"):
        assert c in out


def test_no_command_is_a_usage_error():
    p = mlrt(check=False)
    assert p.returncode == 2


def test_version_names_every_library_and_cpu():
    out = mlrt("version").stdout
    for name in ("mlrt", "ONNX Runtime", "FFmpeg", "zimg", "CPU"):
        assert name in out
    j = json.loads(mlrt("version", "--json").stdout)
    assert "CPU" in j["providers_loadable"]
    assert j["zimg"].count(".") == 2
    assert j["onnxruntime"] and j["ffmpeg"] and j["mlrt"]
    # The CPU's int8 features, as the kernel reports them.
    cpu = j["cpu"]
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if flags:
        assert cpu["avx512_vnni"] == ("avx512_vnni" in flags)
        assert cpu["avx_vnni"] == ("avx_vnni" in flags)
        assert cpu["amx_int8"] == ("amx_int8" in flags)
    assert cpu["int8_dot_product"] == (cpu["avx512_vnni"] or cpu["avx_vnni"] or cpu["amx_int8"])
    line = next(l for l in out.splitlines() if l.startswith("CPU "))
    assert ("--int8 gains nothing" in line) != cpu["int8_dot_product"], line


def test_info_of_builtin_upscaler(models):
    out = mlrt("info", models["upscale2x"]).stdout
    assert "scale       2" in out
    assert "float32 [1, 3, height, width]" in out
    assert "Resize x1" in out and "Conv x1" in out
    assert "opset ai.onnx 13" in out
    j = json.loads(mlrt("info", "--json", models["upscale2x"]).stdout)
    assert j["scale"] == 2
    assert j["opsets"] == {"ai.onnx": 13}
    assert j["inputs"][0]["dims"] == [1, 3, "height", "width"]
    assert j["ops"] == {"Clip": 1, "Conv": 1, "Pad": 1, "Resize": 1}
    # Depthwise 3x3 conv on the 2x output: 3 channels x 9 taps x 2 FLOP per output pixel.
    assert j["flops_per_output_pixel"] == pytest.approx(54, rel=1e-6)


def test_info_of_identity_has_scale_one(models):
    j = json.loads(mlrt("info", "--json", models["gray-identity"]).stdout)
    assert j["scale"] == 1
    assert j["inputs"][0]["dims"][1] == 1


@pytest.mark.skipif(not SHARED_MODEL.exists(), reason="shared model not present")
def test_info_of_a_real_model():
    j = json.loads(mlrt("info", "--json", SHARED_MODEL).stdout)
    assert j["scale"] == 2
    assert j["ops"]["Conv"] >= 10
    # SRVGGNet-style x2: about 0.6 M multiply-adds per input pixel, 4 output pixels each.
    assert 1e5 < j["flops_per_output_pixel"] < 1e6


def test_make_model_writes_loadable_models(models, tmp_path):
    for kind, path in models.items():
        assert path.stat().st_size > 0, kind
    p = mlrt("make-model", "--kind", "nonsense", tmp_path / "x.onnx", check=False)
    assert p.returncode != 0 and "unknown model kind 'nonsense'" in p.stderr


def test_make_model_unwritable(tmp_path):
    p = mlrt("make-model", tmp_path / "missing" / "x.onnx", check=False)
    assert p.returncode == 1 and "cannot write model" in p.stderr


def test_bench_json_reports_engine_and_plain_session(models):
    j = json.loads(mlrt("bench", models["upscale2x"], "--size", "96x64", "--repeats", "3", "--json").stdout)
    assert j["size"] == [96, 64] and j["scale"] == 2 and j["provider"] == "CPU"
    for side in ("engine", "plain_ort"):
        t = j[side]
        assert t["fps"] > 0 and 0 < t["ms_min"] <= t["ms_median"] and t["frames"] == 3
    assert j["engine_vs_plain"] == pytest.approx(j["engine"]["fps"] / j["plain_ort"]["fps"], rel=1e-3)
    assert j["tiles_per_frame"] == 1 and j["processed_pixel_ratio"] == pytest.approx(1.0)
    assert j["peak_rss_mib"] > 0


def test_bench_with_tiles_counts_overlap(models):
    j = json.loads(mlrt("bench", models["upscale2x"], "--size", "160x90", "--tilesize", "64", "--overlap", "8",
                        "--repeats", "2", "--json").stdout)
    assert j["tiles_per_frame"] > 1
    assert j["processed_pixel_ratio"] > 1.0  # overlapping tiles process some pixels twice


def test_bench_text(models):
    out = mlrt("bench", models["identity"], "--size", "32", "--repeats", "2").stdout
    for word in ("engine", "plain ORT", "ratio", "tiles", "peak RSS", "fps", "ms/frame"):
        assert word in out


def test_bench_ratio_of_fastest_frames_and_spread_warning(models):
    p = mlrt("bench", models["upscale2x"], "--size", "64x48", "--repeats", "4", "--json")
    j = json.loads(p.stdout)
    eng, plain = j["engine"], j["plain_ort"]
    assert j["engine_vs_plain_fastest"] == pytest.approx(plain["ms_min"] / eng["ms_min"], rel=0.02)
    spread = max((t["ms_median"] - t["ms_min"]) / t["ms_min"] for t in (eng, plain))
    if spread > 0.105:
        assert "--repeats" in j["timing_spread_warning"] and "mlrt: warning: frame times" in p.stderr
    elif spread < 0.095:
        assert j["timing_spread_warning"] is None and "warning" not in p.stderr


def test_bench_profile_shows_where_the_time_goes(models):
    # The built-in upscaler: a Resize and a convolution. The engine runs the Resize on mlrt's
    # kernel, the plain session on ONNX Runtime's; both profiles cover the timed frames only.
    p = mlrt("bench", models["upscale2x"], "--size", "64x48", "--repeats", "2", "--warmup", "1",
             "--profile", "--json")
    j = json.loads(p.stdout)
    cols = {c["name"]: c for c in j["columns"]}
    assert set(cols) == {"engine", "plain ORT"}
    engine_ops = {o["op_type"] for o in cols["engine"]["ops"]}
    plain_ops = {o["op_type"] for o in cols["plain ORT"]["ops"]}
    assert "ResizeScales" in engine_ops and "Resize" not in engine_ops
    assert "Resize" in plain_ops and "ResizeScales" not in plain_ops
    for c in cols.values():
        assert c["frames"] == 2  # the timed frames, one tile each; the warm-up is left out
        assert 0 < c["kernel_ms_per_frame"] <= c["run_ms_per_frame"]
        # Each figure is printed to 3 decimals.
        assert sum(o["ms_per_frame"] for o in c["ops"]) == pytest.approx(
            c["kernel_ms_per_frame"], abs=1e-3 * (len(c["ops"]) + 1))
        # The convolutions' share: their op types' time over all kernels'.
        conv = sum(o["ms_per_frame"] for o in c["ops"] if "Conv" in o["op_type"])
        assert 0 < c["convolution_share"] < 1
        assert c["convolution_share"] == pytest.approx(conv / c["kernel_ms_per_frame"], abs=0.01)
        # The peak at the core clock, measured on x86-64 by a chain of dependent adds.
        if platform.machine() == "x86_64" and c["nominal_peak_g_per_s"] is not None:
            assert c["nominal_peak_g_per_s"] > 0
    assert j["gflop_per_frame"] > 0
    text = mlrt("bench", models["upscale2x"], "--size", "64x48", "--repeats", "1", "--profile").stdout
    assert "Resize (mlrt's kernel)" in text and "top nodes" in text and "GFLOP per frame" in text
    assert "their share of the kernel time: engine " in text
    if platform.machine() == "x86_64":
        assert re.search(r"nominal peak: \d+ core\(s\) at \d+\.\d\d GHz \(measured\)", text), text
    # Without convolutions (or a FLOP count) the share is still printed.
    text = mlrt("bench", models["identity"], "--size", "32x24", "--repeats", "1", "--profile").stdout
    assert "convolutions none in the model" in text
    assert "their share of the kernel time: engine 0%; plain ORT 0%;" in text, text
    bad = mlrt("bench", models["upscale2x"], "--profile", "--rss-streams", "2", check=False)
    assert bad.returncode == 2 and "--profile excludes --rss-streams" in bad.stderr, bad.stderr
