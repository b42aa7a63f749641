"""mlrt.import_ncnn: ncnn models (.param + .bin) as ONNX models that take float RGB in [0, 1],
with the pre- and post-processing of the program that runs them (see `mlrt import-ncnn`)."""
from __future__ import annotations

import os
import tempfile
from typing import Optional, Union

from . import _mlrt

PathLike = Union[str, "os.PathLike[str]"]


def ncnn_programs() -> list[str]:
    """The programs whose framing import_ncnn knows (its `program` argument)."""
    return list(_mlrt.ncnn_programs())


def import_ncnn(param: PathLike, bin: PathLike, output: Optional[PathLike] = None, *,
                program: str = "none", scale: int = 1, prepadding: Optional[int] = None,
                multiple: Optional[int] = None, overwrite: bool = False) -> bytes:
    """Converts the ncnn model `param` + `bin` and returns the serialized ONNX model; with
    `output`, also writes it there (atomically; an existing file only with overwrite=True).

    `program` ("realesrgan", "realcugan", "waifu2x-cunet", "waifu2x-upconv7" or "none") and
    `scale` choose the border, size rounding and added input the program gives the network;
    `prepadding` and `multiple` override its border and rounding. Bad files, layers mlrt cannot
    convert and bad arguments raise ValueError naming the file, line, layer or argument."""
    for name, value in (("scale", scale), ("prepadding", prepadding), ("multiple", multiple)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"import_ncnn: {name} must be an int, not {type(value).__name__}")
    if output is not None:
        output = os.fspath(output)
        if os.path.exists(output) and not overwrite:
            raise ValueError(f"import_ncnn: '{output}' already exists; pass overwrite=True to "
                             "replace it")
    onnx, _info = _mlrt.import_ncnn(os.fspath(param), os.fspath(bin), program, scale, prepadding,
                                    multiple)
    if output is not None:
        folder = os.path.dirname(os.path.abspath(output))
        fd, temp = tempfile.mkstemp(prefix=".mlrt-import-", suffix=".part", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(onnx)
            os.replace(temp, output)
        except BaseException:
            os.unlink(temp)
            raise
    return onnx
