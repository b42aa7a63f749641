import pytest

from helpers import MLRT, ffmpeg_available, mlrt


def pytest_collection_modifyitems(config, items):
    reason = None
    if not MLRT.exists():
        reason = f"mlrt binary not found at {MLRT} (build it, or set MLRT_BIN)"
    elif not ffmpeg_available():
        reason = "ffmpeg/ffprobe not installed"
    if reason:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def models(tmp_path_factory):
    """The built-in models, written once by `mlrt make-model`."""
    d = tmp_path_factory.mktemp("models")
    out = {}
    for kind in ("identity", "gray-identity", "upscale2x", "gray-upscale2x"):
        path = d / f"{kind}.onnx"
        mlrt("make-model", "--quiet", "--kind", kind, path)
        out[kind] = path
    return out
