"""Fixtures for the VapourSynth plugin tests: the plugin, a core, and models written by the
test-support tool (the project's own model builders, so Python needs no ONNX package)."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MLRT_BUILD_DIR", ROOT / "build"))

vs = pytest.importorskip(
    "vapoursynth", reason="VapourSynth is not installed: the plugin tests are skipped")

PLUGIN = BUILD / "src" / "vapoursynth" / "libmlrt_ort.so"
WRITE_MODEL = BUILD / "tests" / "mlrt_write_test_model"
RUN_RAW = BUILD / "tests" / "mlrt_run_raw"


@pytest.fixture(scope="session")
def plugin_path():
    if not PLUGIN.exists():
        pytest.skip(f"the plugin was not built ({PLUGIN} missing)")
    return PLUGIN


@pytest.fixture()
def core(plugin_path):
    c = vs.core.core if hasattr(vs.core, "core") else vs.core
    c = vs.core
    if not hasattr(c, "ort"):
        c.std.LoadPlugin(path=str(plugin_path))
    return c


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def make_model(model_dir):
    def make(kind, *args):
        path = model_dir / ("_".join([kind, *map(str, args)]) + ".onnx")
        if not path.exists():
            subprocess.run([str(WRITE_MODEL), str(path), kind, *map(str, args)], check=True)
        return path
    return make
