"""The reference's backend configuration types (ORT, ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML) and
mlrt's ORT_WEBGPU as
frozen, keyword-only dataclasses over mlrt's C++ configuration layer: values are checked, and
get_args(), autoselect() and inference() computed, by the library (mlrt._mlrt), so Python, the
command line and the VapourSynth plugin agree on defaults, checks and messages."""
from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum
from logging import CRITICAL, DEBUG, ERROR, INFO, WARNING
from typing import Any, ClassVar

from . import _mlrt

__all__ = ["Backend", "ORT", "ORT_CPU", "ORT_CUDA", "ORT_DML", "ORT_COREML", "ORT_WEBGPU",
           "autoselect"]

#: Backends whose verbosity is not given take it from this logger's effective level.
logger = logging.getLogger("mlrt")

#: The VapourSynth namespace of the plugin the backends drive (`core.ort`).
PLUGIN_NAMESPACE = "ort"


class _Plugin:
    """`Backend.plugin`: the VapourSynth plugin the backends run on, `core.ort` (mlrt's own
    plugin is loaded when no `ort` namespace is). Without VapourSynth it is absent: reading it
    raises AttributeError, so hasattr() says False."""

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        from . import _vapoursynth

        try:
            return _vapoursynth.plugin()
        except ImportError as e:
            raise AttributeError(f"Backend.plugin (VapourSynth's '{PLUGIN_NAMESPACE}' namespace) "
                                 f"needs VapourSynth: {e}") from None

    def __repr__(self) -> str:
        return PLUGIN_NAMESPACE


class Backend:
    """Base of every backend, as in the reference toolkit: the output format enum, the plugin,
    autoselect(), and the backend types as attributes (Backend.ORT_CUDA, ...)."""

    class OutputFormat(IntEnum):
        """Output format for the backend plugin."""

        FP32 = 0
        FP16 = 1

    plugin: ClassVar[Any] = _Plugin()
    flexible_output_prop: ClassVar[str] = "MlrtFlexible"
    provider: ClassVar[str]

    # Set below, once the classes exist.
    ORT: ClassVar[type[ORT]]
    ORT_CPU: ClassVar[type[ORT_CPU]]
    ORT_CUDA: ClassVar[type[ORT_CUDA]]
    ORT_DML: ClassVar[type[ORT_DML]]
    ORT_COREML: ClassVar[type[ORT_COREML]]
    ORT_WEBGPU: ClassVar[type[ORT_WEBGPU]]

    @classmethod
    def autoselect(cls, device_id: int = 0, **kwargs: Any) -> Backend:
        """Try to select the best backend for the current system.

        Looks at GPU `device_id` and at which execution providers actually load here: NVIDIA ->
        ORT_CUDA, then ORT_DML on Windows, then ORT_WEBGPU; AMD/Intel -> ORT_DML on Windows,
        then ORT_WEBGPU; Apple -> ORT_COREML; otherwise ORT_CPU. ORT_WEBGPU is never chosen on a
        software rasterizer. `kwargs` go to the backend, and `device_id` too where it has one
        (CUDA gets the GPU's CUDA ordinal, WebGPU its adapter index). A GPU index beyond the GPUs
        found selects ORT_CPU.

        Private keywords replace this machine for tests: `_gpus` (vendor names or
        (vendor, pci_vendor_id) in device order), `_loadable` (provider names that load),
        `_platform` ("Linux", "Windows", "MacOS", "Other") and `_webgpu` (WebGPU adapters as
        (pci_vendor_id, pci_device_id, software) in Dawn's order; default none when `_gpus` is
        given).
        """
        gpus = kwargs.pop("_gpus", None)
        loadable = kwargs.pop("_loadable", None)
        platform = kwargs.pop("_platform", None)
        webgpu = kwargs.pop("_webgpu", None)
        provider, device = _mlrt.autoselect(device_id, kwargs, gpus, loadable, platform, webgpu)
        backend = _BY_PROVIDER[provider]
        if device is not None:
            kwargs["device_id"] = device
        return backend(**kwargs)

    def get_args(self, clips: Any = None) -> dict[str, Any]:
        """Return backend plugin arguments derived from this configuration."""
        raise NotImplementedError

    def inference(self, clips: Any, network_path: Any, /, overlap: Any = (0, 0),
                  tilesize: Any = None, *, flexible: bool = False, color_family: Any = None,
                  color_range: Any = None, bits_per_sample: Any = None, **kwargs: Any) -> Any:
        """Run inference with this backend.

        `clips`: a VapourSynth clip or a list of them (through the `ort` plugin), or a numpy
        array (C, H, W) or a list of them (through the engine directly). Clips that are not float
        are converted to float16 when fp16 is on, else float32, in VapourSynth's convention: RGB
        in [0, 1]; GRAY and Y in [0, 1], U and V in [-0.5, 0.5], with limited range expanded.
        Integer RGB is full range; integer GRAY and YUV are limited range unless marked full: a
        clip by its frames' _ColorRange, a numpy array by `color_range` (mlrt.ColorRange or
        "full"/"limited"; default: limited for GRAY and YUV, as VapourSynth assumes). An integer
        array's family is `color_family` (mlrt.ColorFamily or "gray"/"rgb"/"yuv"; default: GRAY
        for 1 plane, RGB for 3) and its depth `bits_per_sample` (default: the dtype's, so pass 10
        for 10-bit samples in uint16). The engine runs with overlap/tilesize ((w, h), or one value for
        both; tilesize None: whole frames), then get_args(clips), then `kwargs` (which win).
        Returns one clip (or array (C', sH, sW)); with `flexible`, one clip (or (sH, sW) plane)
        per output channel. `network_path` may also be a model name (mlrt.models: pulled into
        the local store on first use).
        """
        from . import models

        network_path = models.resolve(network_path)
        kind = _kind_of(clips)
        args = _engine_args(self, clips, overlap, tilesize, flexible, kwargs)
        if kind == "numpy":
            from . import _numpy

            return _numpy.inference(clips, network_path, args, flexible, color_family, color_range,
                                    bits_per_sample)
        if color_family is not None or color_range is not None or bits_per_sample is not None:
            raise ValueError("inference: color_family, color_range and bits_per_sample are for "
                             "numpy arrays; a VapourSynth clip has its family and depth in its "
                             "format and its range in its frames' _ColorRange (set it with "
                             "core.std.SetFrameProps)")
        from . import _vapoursynth

        return _vapoursynth.inference(clips, network_path, args, flexible, self.flexible_output_prop)


def _kind_of(clips: Any) -> str:
    """"numpy" or "vapoursynth": what `clips` holds (one of them, or a list of them). Neither
    module is imported here: a value of their types means the caller has imported it."""
    import sys

    types = {}
    if (np := sys.modules.get("numpy")) is not None:
        types["numpy"] = np.ndarray
    if (vs := sys.modules.get("vapoursynth")) is not None:
        types["vapoursynth"] = vs.VideoNode
    for kind, t in types.items():
        if isinstance(clips, t):
            return kind
    items = list(clips) if isinstance(clips, Sequence) and not isinstance(clips, str) else None
    if items == []:
        raise ValueError("inference: argument 'clips' must hold at least one clip")
    if items:
        for kind, t in types.items():
            if all(isinstance(c, t) for c in items):
                return kind
        odd = next((c for c in items if not any(isinstance(c, t) for t in types.values())),
                   items[-1])
        got = f"{type(clips).__name__} holding {type(odd).__name__}"
    else:
        got = type(clips).__name__
    raise ValueError("inference: argument 'clips' must be numpy arrays (C, H, W) or VapourSynth "
                     f"clips, got {got}")


def _engine_args(backend: Backend, clips: Any, overlap: Any, tilesize: Any, flexible: bool,
                 kwargs: dict[str, Any]) -> dict[str, Any]:
    """overlap/tilesize, then get_args, then kwargs: as the C++ inference() merges them."""
    args: dict[str, Any] = {"overlap": _pair(overlap)}
    if tilesize is not None:
        args["tilesize"] = _pair(tilesize)
    if flexible:
        args["flexible_output_prop"] = backend.flexible_output_prop
    return args | backend.get_args(clips) | kwargs


def _pair(value: Any) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
        return value
    return list(value)


_SHARED_ARGS = ("fp16", "output_format", "provider", "num_streams", "verbosity",
                "fp16_blacklist_ops")


def _fields(backend: ORT) -> dict[str, Any]:
    return {f.name: getattr(backend, f.name) for f in fields(backend)}


@dataclass(frozen=True, kw_only=True)
class ORT(Backend):
    """Base ONNX Runtime backend configuration.

    Args:
        num_streams: Number of parallel inference streams.
        verbosity: ONNX Runtime logging verbosity (None: from logging.getLogger("mlrt")'s
            effective level, through Verbosity.from_logging).
        fp16: Convert model execution to FP16 where supported.
        fp16_blacklist_ops: ONNX node or op names to keep in FP32 during FP16 conversion.
        output_format: Requested output precision. Defaults to FP16 when `fp16` is enabled,
            otherwise FP32.
    """

    class Verbosity(IntEnum):
        VERBOSE = 0
        INFO = 1
        WARNING = 2
        ERROR = 3
        FATAL = 4

        @classmethod
        def from_logging(cls, level: int) -> ORT.Verbosity:
            mapping = {
                DEBUG: cls.VERBOSE,
                INFO: cls.INFO,
                WARNING: cls.WARNING,
                ERROR: cls.ERROR,
                CRITICAL: cls.FATAL,
            }
            return mapping.get(level, cls.WARNING)

    _own_args: ClassVar[tuple[str, ...]] = ()

    num_streams: int = 1
    verbosity: int = None  # type: ignore[assignment]  # None: resolved in __post_init__
    fp16: bool | None = True
    fp16_blacklist_ops: Collection[str] | None = None
    output_format: Backend.OutputFormat | None = None

    def __post_init__(self) -> None:
        if self.verbosity is None:
            object.__setattr__(self, "verbosity",
                               ORT.Verbosity.from_logging(logger.getEffectiveLevel()))
        self._check()

    def _check(self) -> None:
        # The configuration layer checks every value (ValueError with its message).
        if type(self) is ORT:
            _mlrt.check_base(_fields(self))
        else:
            _mlrt.get_args(self.provider, _fields(self))

    def get_args(self, clips: Any = None) -> dict[str, Any]:
        """Return backend plugin arguments derived from this configuration (the C++
        configuration layer's get_args). `clips` is not consulted, as in the reference."""
        if type(self) is ORT:
            raise TypeError("ORT is the shared base configuration and names no provider: use "
                            "ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML or ORT_WEBGPU")
        args = _mlrt.get_args(self.provider, _fields(self))
        args["verbosity"] = ORT.Verbosity(args["verbosity"])
        # The reference's key order: the shared keys, then the provider's own.
        order = [*_SHARED_ARGS, *self._own_args]
        return {k: args[k] for k in order if k in args} | args


@dataclass(frozen=True, kw_only=True)
class ORT_CPU(ORT):
    """ONNX Runtime CPU execution provider."""

    provider: ClassVar[str] = "CPU"


@dataclass(frozen=True, kw_only=True)
class ORT_CUDA(ORT):
    """ONNX Runtime CUDA execution provider for Nvidia GPUs.

    Args:
        device_id: CUDA device index.
        cudnn_benchmark: Let cuDNN search for faster convolution algorithms.
        use_cuda_graph: Enable CUDA graph capture to improve performance and reduce CPU overhead
            for compatible models.
        tf32: Allow TensorFloat-32 math on supported Nvidia GPUs.
        prefer_nhwc: Prefer NHWC layout where ONNX Runtime supports it.
    """

    provider: ClassVar[str] = "CUDA"
    _own_args: ClassVar[tuple[str, ...]] = ("device_id", "cudnn_benchmark", "use_cuda_graph",
                                            "prefer_nhwc", "tf32")

    device_id: int = 0
    cudnn_benchmark: bool = True
    use_cuda_graph: bool = False
    tf32: bool = False
    prefer_nhwc: bool = False


@dataclass(frozen=True, kw_only=True)
class ORT_DML(ORT):
    """ONNX Runtime DirectML execution provider for D3D12 devices.

    Args:
        device_id: DirectML adapter index.
    """

    provider: ClassVar[str] = "DML"
    _own_args: ClassVar[tuple[str, ...]] = ("device_id",)

    device_id: int = 0


@dataclass(frozen=True, kw_only=True)
class ORT_COREML(ORT):
    """ONNX Runtime Core ML execution provider.

    Args:
        ml_program: The Core ML model format: Provider.NEURAL_NETWORK or Provider.ML_PROGRAM.
    """

    class Provider(IntEnum):
        NEURAL_NETWORK = 0
        ML_PROGRAM = 1

    provider: ClassVar[str] = "COREML"
    _own_args: ClassVar[tuple[str, ...]] = ("ml_program",)

    ml_program: ORT_COREML.Provider = Provider.NEURAL_NETWORK

    def __post_init__(self) -> None:
        # As the reference: stored as a Provider. A value that is none is left for the
        # configuration layer to report.
        if isinstance(self.ml_program, int) and not isinstance(self.ml_program, bool):
            try:
                object.__setattr__(self, "ml_program", ORT_COREML.Provider(self.ml_program))
            except ValueError:
                pass
        super().__post_init__()

    def get_args(self, clips: Any = None) -> dict[str, Any]:
        args = super().get_args(clips)
        args["ml_program"] = ORT_COREML.Provider(args["ml_program"])
        return args


@dataclass(frozen=True, kw_only=True)
class ORT_WEBGPU(ORT):
    """ONNX Runtime WebGPU execution provider: Vulkan on Linux, D3D12 on Windows, Metal on macOS,
    on any vendor's GPU with its ordinary driver (no CUDA needed).

    Args:
        device_id: WebGPU adapter index, as mlrt.webgpu_adapters() lists them (discrete GPUs
            first). ONNX Runtime chooses adapters by power preference, so an index that neither
            preference reaches is refused with the list.
    """

    provider: ClassVar[str] = "WEBGPU"
    _own_args: ClassVar[tuple[str, ...]] = ("device_id",)

    device_id: int = 0


Backend.ORT = ORT
Backend.ORT_CPU = ORT_CPU
Backend.ORT_CUDA = ORT_CUDA
Backend.ORT_DML = ORT_DML
Backend.ORT_COREML = ORT_COREML
Backend.ORT_WEBGPU = ORT_WEBGPU

_BY_PROVIDER: dict[str, type[ORT]] = {
    c.provider: c for c in (ORT_CPU, ORT_CUDA, ORT_DML, ORT_COREML, ORT_WEBGPU)
}

#: mlrt.autoselect(device_id=0, **kwargs): Backend.autoselect.
autoselect = Backend.autoselect
