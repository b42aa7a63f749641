"""inference() on numpy arrays: the C++ engine directly, no VapourSynth needed. Engines are cached
per (model, frame geometry, arguments), and run with the GIL released, so Python threads infer
concurrently on the engine's streams."""
from __future__ import annotations

import collections
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _convention, _mlrt

_CACHE_SIZE = 8
_cache: collections.OrderedDict[Any, _mlrt.Engine] = collections.OrderedDict()
_cache_lock = threading.Lock()


def _fail(message: str) -> None:
    raise ValueError("inference: " + message)


def _float_dtype(fp16: bool) -> np.dtype:
    return np.dtype(np.float16 if fp16 else np.float32)


def _prepare(arrays: Sequence[Any], fp16: bool, color_family: Any, color_range: Any,
             bits_per_sample: Any) -> list[np.ndarray]:
    """(C, H, W) float32/float16 arrays as the engine takes them: contiguous rows, native byte
    order. Unsigned integer arrays become float16 when fp16 is on, else float32, in the float
    convention (_convention.py) for their family and range."""
    family = _convention.parse_family(color_family)
    rng = _convention.parse_range(color_range)
    out = []
    integers = 0
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        if a.ndim != 3:
            _fail(f"clips[{i}] must be an array (C, H, W), got shape {a.shape}")
        if a.dtype.kind == "u" and a.dtype.itemsize <= 2:
            integers += 1
            fam = _convention.family_of(a.shape[0], family, f"clips[{i}]")
            r = _convention.default_range(fam) if rng is None else rng
            bits = _convention.bits_of(a, bits_per_sample, f"clips[{i}]")
            a = _convention.to_float(a, fam, r, bits, _float_dtype(fp16))
        elif a.dtype.kind != "f" or a.dtype.itemsize not in (2, 4):
            _fail(f"clips[{i}] must be float32, float16, uint8 or uint16, got {a.dtype}")
        if not a.dtype.isnative:
            a = a.astype(a.dtype.newbyteorder("="))
        out.append(np.ascontiguousarray(a))
    if integers == 0 and (family is not None or rng is not None or bits_per_sample is not None):
        _fail("color_family, color_range and bits_per_sample describe integer arrays; float "
              "arrays are taken as they are")
    return out


def _layout_hint(arrays: Sequence[np.ndarray], single: bool) -> str:
    """Why the planes may not be what the caller meant: channels last, or a list read as clips."""
    shapes = ", ".join(str(a.shape) for a in arrays)
    if any(a.shape[2] <= 4 < a.shape[0] for a in arrays):
        return (f" (arrays are read as (C, H, W); got {shapes}, which looks like (H, W, C): "
                "pass a.transpose(2, 0, 1))")
    if not single:
        return (f" (a list of arrays is read as clips whose planes are concatenated along C: "
                f"got {shapes})")
    return ""


def _model_key(network_path: Any, args: dict[str, Any]) -> Any:
    """What identifies the model: its bytes, or its file as it is now (a rewritten file is a new
    model). None: not cacheable (the engine will report what is wrong with the path)."""
    if args.get("path_is_serialization"):
        return ("bytes", network_path)
    try:
        st = os.stat(network_path)
    except (OSError, TypeError, ValueError):
        return None
    return ("file", os.path.realpath(network_path), st.st_mtime_ns, st.st_size)


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_hashable(v) for v in value)
    return value


def engine(args: dict[str, Any], width: int, height: int, dtype: str,
           planes: tuple[int, ...], calibration: Sequence[Sequence[np.ndarray]] = ()) -> _mlrt.Engine:
    """The engine for these arguments (ort.Model's, network_path included) and frames, built
    once and kept among the last few used. With int8, a new engine calibrates on `calibration`
    (frames, each a list of arrays) unless args names an existing calibration file."""
    model = _model_key(args.get("network_path"), args)
    key = None
    if model is not None:
        key = (model, width, height, dtype, planes,
               tuple(sorted((k, _hashable(v)) for k, v in args.items() if k != "network_path")))
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                return hit
    built = _mlrt.Engine(args, width, height, dtype, list(planes),
                         [list(f) for f in calibration] if args.get("int8") else [])
    if key is not None:
        with _cache_lock:
            built = _cache.setdefault(key, built)
            _cache.move_to_end(key)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return built


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def inference(clips: Any, network_path: Any, args: dict[str, Any], flexible: bool,
              color_family: Any = None, color_range: Any = None,
              bits_per_sample: Any = None) -> np.ndarray | list[np.ndarray]:
    single = isinstance(clips, np.ndarray)
    arrays = [clips] if single else list(clips)
    if not arrays:
        _fail("argument 'clips' must hold at least one array")
    args = dict(args)
    if args.get("path_is_serialization"):
        args["network_path"] = network_path
    else:
        args["network_path"] = os.fspath(network_path)
    # Integer input becomes float at the precision the engine will run with (kwargs included).
    arrays = _prepare(arrays, bool(args.get("fp16")), color_family, color_range, bits_per_sample)
    first = arrays[0]
    _, height, width = first.shape
    # int8 calibrates on the first frame an engine sees (or args["calibration"], a file).
    try:
        e = engine(args, width, height, first.dtype.name, tuple(a.shape[0] for a in arrays),
                   calibration=[arrays])
    except ValueError as err:
        if "planes in total" in str(err):  # the engine's channel count check
            err.args = (f"{err}{_layout_hint(arrays, single)}", *err.args[1:])
        raise
    out = e.run(arrays)
    return list(out) if flexible else out
