import logging
import os
from collections.abc import Collection, Sequence
from enum import IntEnum
from typing import Any, ClassVar, Literal, overload

import numpy as np

from . import models as models

__version__: str
PLUGIN_NAMESPACE: str
logger: logging.Logger

_Clips = Any  # vapoursynth.VideoNode | Sequence[vapoursynth.VideoNode]
_Arrays = np.ndarray | Sequence[np.ndarray]

class ColorFamily(IntEnum):
    GRAY = 1
    RGB = 2
    YUV = 3

class ColorRange(IntEnum):
    FULL = 0
    LIMITED = 1

_Family = ColorFamily | Literal["gray", "rgb", "yuv"] | None
_Range = ColorRange | Literal["full", "limited", "pc", "tv"] | None

class Backend:
    class OutputFormat(IntEnum):
        FP32 = 0
        FP16 = 1

    plugin: ClassVar[Any]
    flexible_output_prop: ClassVar[str]
    provider: ClassVar[str]
    ORT: ClassVar[type[ORT]]
    ORT_CPU: ClassVar[type[ORT_CPU]]
    ORT_CUDA: ClassVar[type[ORT_CUDA]]
    ORT_DML: ClassVar[type[ORT_DML]]
    ORT_COREML: ClassVar[type[ORT_COREML]]

    @classmethod
    def autoselect(cls, device_id: int = 0, **kwargs: Any) -> Backend: ...
    def get_args(self, clips: Any = None) -> dict[str, Any]: ...
    @overload
    def inference(self, clips: _Arrays, network_path: str | os.PathLike[str] | bytes, /,
                  overlap: int | tuple[int, int] = (0, 0),
                  tilesize: int | tuple[int, int] | None = None, *,
                  flexible: Literal[False] = False, color_family: _Family = None,
                  color_range: _Range = None, bits_per_sample: int | None = None,
                  **kwargs: Any) -> np.ndarray: ...
    @overload
    def inference(self, clips: _Arrays, network_path: str | os.PathLike[str] | bytes, /,
                  overlap: int | tuple[int, int] = (0, 0),
                  tilesize: int | tuple[int, int] | None = None, *,
                  flexible: Literal[True], color_family: _Family = None,
                  color_range: _Range = None, bits_per_sample: int | None = None,
                  **kwargs: Any) -> list[np.ndarray]: ...
    @overload
    def inference(self, clips: _Clips, network_path: str | os.PathLike[str] | bytes, /,
                  overlap: int | tuple[int, int] = (0, 0),
                  tilesize: int | tuple[int, int] | None = None, *, flexible: bool = False,
                  **kwargs: Any) -> Any: ...

class ORT(Backend):
    class Verbosity(IntEnum):
        VERBOSE = 0
        INFO = 1
        WARNING = 2
        ERROR = 3
        FATAL = 4
        @classmethod
        def from_logging(cls, level: int) -> ORT.Verbosity: ...

    num_streams: int
    verbosity: int
    fp16: bool | None
    fp16_blacklist_ops: Collection[str] | None
    output_format: Backend.OutputFormat | None
    def __init__(self, *, num_streams: int = 1, verbosity: int | None = None, fp16: bool = True,
                 fp16_blacklist_ops: Collection[str] | None = None,
                 output_format: Backend.OutputFormat | None = None) -> None: ...

class ORT_CPU(ORT):
    provider: ClassVar[str]

class ORT_CUDA(ORT):
    provider: ClassVar[str]
    device_id: int
    cudnn_benchmark: bool
    use_cuda_graph: bool
    tf32: bool
    prefer_nhwc: bool
    def __init__(self, *, num_streams: int = 1, verbosity: int | None = None, fp16: bool = True,
                 fp16_blacklist_ops: Collection[str] | None = None,
                 output_format: Backend.OutputFormat | None = None, device_id: int = 0,
                 cudnn_benchmark: bool = True, use_cuda_graph: bool = False, tf32: bool = False,
                 prefer_nhwc: bool = False) -> None: ...

class ORT_DML(ORT):
    provider: ClassVar[str]
    device_id: int
    def __init__(self, *, num_streams: int = 1, verbosity: int | None = None, fp16: bool = True,
                 fp16_blacklist_ops: Collection[str] | None = None,
                 output_format: Backend.OutputFormat | None = None,
                 device_id: int = 0) -> None: ...

class ORT_COREML(ORT):
    class Provider(IntEnum):
        NEURAL_NETWORK = 0
        ML_PROGRAM = 1
    provider: ClassVar[str]
    ml_program: ORT_COREML.Provider
    def __init__(self, *, num_streams: int = 1, verbosity: int | None = None, fp16: bool = True,
                 fp16_blacklist_ops: Collection[str] | None = None,
                 output_format: Backend.OutputFormat | None = None,
                 ml_program: int = ...) -> None: ...

def autoselect(device_id: int = 0, **kwargs: Any) -> Backend: ...
def detect_gpus() -> list[dict[str, Any]]: ...
def loadable_providers(device_id: int = 0) -> list[str]: ...
def runtime_info() -> dict[str, Any]: ...

def ncnn_programs() -> list[str]: ...
def import_ncnn(param: str | os.PathLike[str], bin: str | os.PathLike[str],
                output: str | os.PathLike[str] | None = None, *, program: str = "none",
                scale: int = 1, prepadding: int | None = None, multiple: int | None = None,
                overwrite: bool = False) -> bytes: ...
