"""The float convention integer input follows, VapourSynth's (its resize, which is zimg): RGB in
[0, 1]; GRAY and Y in [0, 1], U and V in [-0.5, 0.5], limited range expanded. Unmarked integer
RGB is full range, unmarked GRAY and YUV limited range. A VapourSynth clip marks its range with
its frames' _ColorRange; a numpy array carries no mark, so inference() takes color_range (and
color_family where the plane count does not say it). The numbers come from the C++
library's one definition (mlrt/config/convention.hpp)."""
from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np

from . import _mlrt


class ColorFamily(IntEnum):
    """What the planes of an integer array are (VapourSynth's values)."""
    GRAY = 1
    RGB = 2
    YUV = 3


class ColorRange(IntEnum):
    """The code range of integer samples (VapourSynth's _ColorRange values)."""
    FULL = 0
    LIMITED = 1


_FAMILY_NAMES = {"gray": ColorFamily.GRAY, "rgb": ColorFamily.RGB, "yuv": ColorFamily.YUV}
_RANGE_NAMES = {"full": ColorRange.FULL, "pc": ColorRange.FULL, "limited": ColorRange.LIMITED,
                "tv": ColorRange.LIMITED}


def _fail(message: str) -> None:
    raise ValueError("inference: " + message)


def parse_family(value: Any) -> ColorFamily | None:
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in _FAMILY_NAMES:
        return _FAMILY_NAMES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in ColorFamily._value2member_map_:
        return ColorFamily(value)
    _fail(f"color_family must be mlrt.ColorFamily.GRAY, RGB or YUV (or 'gray', 'rgb', 'yuv'), "
          f"got {value!r}")


def parse_range(value: Any) -> ColorRange | None:
    if value is None:
        return None
    if isinstance(value, str) and value.lower() in _RANGE_NAMES:
        return _RANGE_NAMES[value.lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in ColorRange._value2member_map_:
        return ColorRange(value)
    _fail(f"color_range must be mlrt.ColorRange.FULL or LIMITED (or 'full', 'limited'), "
          f"got {value!r}")


def default_range(family: ColorFamily) -> ColorRange:
    """The range of unmarked integer samples: full for RGB, limited for GRAY and YUV."""
    return ColorRange.FULL if family == ColorFamily.RGB else ColorRange.LIMITED


def family_of(planes: int, given: ColorFamily | None, name: str) -> ColorFamily:
    """The family of an integer array of `planes` planes: `given`, else GRAY for 1 and RGB for 3."""
    expected = {ColorFamily.GRAY: 1, ColorFamily.RGB: 3, ColorFamily.YUV: 3}
    if given is not None:
        if expected[given] != planes:
            _fail(f"{name} has {planes} plane(s) but color_family={given.name} has "
                  f"{expected[given]}")
        return given
    if planes == 1:
        return ColorFamily.GRAY
    if planes == 3:
        return ColorFamily.RGB
    _fail(f"{name} is an integer array of {planes} planes: integer arrays are GRAY (1 plane), RGB "
          "or YUV (3 planes, color_family='yuv'); convert other layouts to float yourself")


def bits_of(a: np.ndarray, given: Any, name: str) -> int:
    """The sample depth of an unsigned integer array: `given`, else its dtype's width."""
    width = a.dtype.itemsize * 8
    if given is None:
        return width
    if isinstance(given, bool) or not isinstance(given, int) or not 8 <= given <= width:
        _fail(f"bits_per_sample must be an int from 8 to {width} for {name} ({a.dtype}), "
              f"got {given!r}")
    top = int(a.max()) if a.size else 0
    if top >= 1 << given:
        _fail(f"{name} has a sample of {top}, more than {given}-bit samples hold "
              f"({(1 << given) - 1}): is bits_per_sample={given} right?")
    return given


def to_float(a: np.ndarray, family: ColorFamily, color_range: ColorRange, bits: int,
             dtype: np.dtype) -> np.ndarray:
    """An unsigned integer array (C, H, W) of `family` and `bits`-bit samples as float planes in
    the convention."""
    out = np.empty(a.shape, dtype=dtype)
    for p in range(a.shape[0]):
        scale, offset = _mlrt.plane_coding(int(family), p, int(color_range), bits)
        # float64 arithmetic then one rounding, as the C++ library does.
        out[p] = a[p].astype(np.float64) * scale + offset
    return out
