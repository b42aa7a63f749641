"""mlrt: run ONNX image and video models through ONNX Runtime, configured with the reference
toolkit's backend API.

    from mlrt import Backend
    out = Backend.ORT_CPU(fp16=False).inference(frame, "model.onnx", overlap=(16, 16),
                                                tilesize=(256, 256))

`frame` is a numpy array (C, H, W) (or a list of them) or a VapourSynth clip (or a list).
The classes are the reference's (frozen keyword-only dataclasses); values are checked, and
get_args()/autoselect()/inference() computed, by mlrt's C++ library. ONNX Runtime's log lines go
to logging.getLogger("mlrt.onnxruntime")."""
try:
    from . import _mlrt
except ImportError as _e:  # pragma: no cover - a broken build or install
    raise ImportError(f"mlrt: the native part (mlrt._mlrt) cannot be loaded: {_e}") from _e

# ONNX Runtime's log lines -> logging.getLogger("mlrt.onnxruntime"), on import.
from . import _logging  # noqa: F401
from ._backends import (ORT, ORT_COREML, ORT_CPU, ORT_CUDA, ORT_DML, ORT_WEBGPU, PLUGIN_NAMESPACE,
                        Backend, autoselect, logger)
from ._convention import ColorFamily, ColorRange
from ._ncnn import import_ncnn, ncnn_programs
from . import models  # noqa: E402

__version__: str = _mlrt.version()

__all__ = [
    "Backend", "ORT", "ORT_CPU", "ORT_CUDA", "ORT_DML", "ORT_COREML", "ORT_WEBGPU", "autoselect",
    "detect_gpus", "webgpu_adapters", "loadable_providers", "runtime_info", "PLUGIN_NAMESPACE",
    "logger", "ColorFamily", "ColorRange", "import_ncnn", "ncnn_programs", "models",
    "__version__",
]


def detect_gpus() -> list[dict]:
    """This machine's GPUs as autoselect sees them: dicts with vendor, index (the device_id
    autoselect takes), vendor_index, pci_vendor_id, pci_device_id, location."""
    return _mlrt.detect_gpus()


def webgpu_adapters() -> dict:
    """The GPUs the WebGPU backend can use: {"adapters": [dicts with index (ORT_WEBGPU's
    device_id), name, vendor, backend, driver, kind, software, shader_f16, pci_vendor_id,
    pci_device_id], "problem": why there are none, or None}."""
    return _mlrt.webgpu_adapters()


def loadable_providers(device_id: int = 0) -> list[str]:
    """The execution providers that load here ("CPU", "CUDA", "DML", "COREML", "WEBGPU"). A
    software rasterizer does not count for WEBGPU unless MLRT_WEBGPU_ALLOW_SOFTWARE=1."""
    return _mlrt.loadable_providers(device_id)


def runtime_info() -> dict:
    """mlrt's and ONNX Runtime's versions and the providers ONNX Runtime reports and that load."""
    return _mlrt.runtime_info()
