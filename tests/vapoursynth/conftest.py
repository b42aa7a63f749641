"""Fixtures for the VapourSynth plugin tests: the plugin, a core, and models written by the
test-support tool (the project's own model builders, so Python needs no ONNX package).

Without VapourSynth, or without the plugin built, every test here is reported as skipped with
the reason (a collection hook, not a module-level skip, so the rest of the run goes on)."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MLRT_BUILD_DIR", ROOT / "build"))

try:
    import vapoursynth as vs
    VS_IMPORT_ERROR = None
except ImportError as e:  # the tests that use `vs` are all skipped then
    vs = None
    VS_IMPORT_ERROR = str(e)

PLUGIN = BUILD / "src" / "vapoursynth" / "libmlrt_ort.so"
WRITE_MODEL = BUILD / "tests" / "mlrt_write_test_model"
RUN_RAW = BUILD / "tests" / "mlrt_run_raw"


def skip_reason():
    if vs is None:
        return ("VapourSynth is not installed here (import vapoursynth: " + VS_IMPORT_ERROR +
                "); set MLRT_VAPOURSYNTH_ENV to a VapourSynth's env.sh to run the plugin tests")
    if not PLUGIN.exists():
        return f"the plugin was not built ({PLUGIN} missing: pkg-config found no VapourSynth SDK)"
    if not WRITE_MODEL.exists():
        return f"the test-model writer was not built ({WRITE_MODEL} missing)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = skip_reason()
    if reason:
        here = pathlib.Path(__file__).parent
        for item in items:
            if here in pathlib.Path(str(item.fspath)).parents:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def plugin_path():
    return PLUGIN


@pytest.fixture()
def core(plugin_path):
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
