"""Fixtures for the Python module's tests: the package the build put at
$MLRT_BUILD_DIR/python (default build/python), models written by the test-support tool, and the
engine run directly (mlrt_run_raw) as the reference to compare with.

Without the built package every test here is reported as skipped with the reason; without
VapourSynth (or the plugin) the VapourSynth tests are (collection hooks, not module-level skips,
so the rest of the run goes on)."""
import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("MLRT_BUILD_DIR", ROOT / "build"))
PACKAGE_DIR = BUILD / "python"
WRITE_MODEL = BUILD / "tests" / "mlrt_write_test_model"
RUN_RAW = BUILD / "tests" / "mlrt_run_raw"
PLUGIN = BUILD / "src" / "vapoursynth" / "libmlrt_ort.so"
HERE = pathlib.Path(__file__).resolve().parent


def _import_mlrt():
    if not (PACKAGE_DIR / "mlrt" / "__init__.py").exists():
        return None, (f"the Python module was not built ({PACKAGE_DIR / 'mlrt'} missing: "
                      "pybind11 or the Python development files were not found, or "
                      "MLRT_BUILD_PYTHON=OFF)")
    if str(PACKAGE_DIR) not in sys.path:
        sys.path.insert(0, str(PACKAGE_DIR))
    try:
        import mlrt as module
    except ImportError as e:
        return None, f"the built Python module does not import: {e}"
    return module, None


mlrt, MLRT_SKIP = _import_mlrt()


def _media_helpers():
    """The command-line suite's media helpers (ffmpeg, framemd5, audio_bytes, ...), one copy for
    both suites; loaded under its own name, as both folders have a conftest."""
    spec = importlib.util.spec_from_file_location("cli_helpers", ROOT / "tests" / "cli" / "helpers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


media = _media_helpers()

try:
    import vapoursynth as vs
    VS_SKIP = None
except ImportError as e:
    vs = None
    VS_SKIP = ("VapourSynth is not installed here (import vapoursynth: " + str(e) +
               "); set MLRT_VAPOURSYNTH_ENV to a VapourSynth's env.sh to run these tests")
if vs is not None and not PLUGIN.exists():
    VS_SKIP = f"the plugin was not built ({PLUGIN} missing: pkg-config found no VapourSynth SDK)"


def _skip_reason(item):
    if MLRT_SKIP:
        return MLRT_SKIP
    needs_tools = {"make_model", "run_raw"} & set(getattr(item, "fixturenames", ()))
    if needs_tools and not (WRITE_MODEL.exists() and RUN_RAW.exists()):
        return f"the test tools were not built ({WRITE_MODEL}, {RUN_RAW})"
    if item.get_closest_marker("vapoursynth") and VS_SKIP:
        return VS_SKIP
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "vapoursynth: needs VapourSynth and mlrt's plugin")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE not in pathlib.Path(str(item.fspath)).resolve().parents:
            continue
        reason = _skip_reason(item)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session", autouse=True)
def _fp16_cache(tmp_path_factory):
    """Float16 conversions go to a cache of this run, not the user's."""
    if "MLRT_CACHE_DIR" not in os.environ:
        os.environ["MLRT_CACHE_DIR"] = str(tmp_path_factory.mktemp("fp16-cache"))


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def make_model(model_dir):
    """make_model(kind, *args): a model from mlrt_write_test_model (kinds: identity N,
    identity16 N, conv IN OUT LAYERS SCALE [SEED], split IN OUT)."""
    def make(kind, *args):
        path = model_dir / ("_".join([kind, *map(str, args)]) + ".onnx")
        if not path.exists():
            subprocess.run([str(WRITE_MODEL), str(path), kind, *map(str, args)], check=True)
        return path
    return make


@pytest.fixture()
def run_raw(tmp_path):
    """run_raw(model, planes (C, H, W) float32, [tw, th, ow, oh]): the C++ engine run directly
    (float32, literal tiles), as (C', sH, sW)."""
    def run(model, data, *tiling):
        c, h, w = data.shape
        raw_in, raw_out = tmp_path / "raw-in.f32", tmp_path / "raw-out.f32"
        np.ascontiguousarray(data, dtype=np.float32).tofile(raw_in)
        subprocess.run([str(RUN_RAW), str(model), str(w), str(h), str(c), str(raw_in),
                        str(raw_out), *map(str, tiling)], check=True)
        out = np.fromfile(raw_out, dtype=np.float32)
        return out
    return run


@pytest.fixture()
def frames():
    """frames(c, h, w, seed): deterministic float32 planes in [0, 1)."""
    def make(c=3, h=24, w=40, seed=0):
        return np.random.default_rng(seed).random((c, h, w), dtype=np.float32)
    return make
