"""inference() on VapourSynth clips, through the `ort` plugin: mlrt's own, loaded from where the
build or the install put it when no `ort` namespace is loaded yet."""
from __future__ import annotations

import enum
import os
from collections.abc import Collection
from typing import Any

try:
    from ._paths import VAPOURSYNTH_PLUGIN as _BUILT_PLUGIN
except ImportError:  # the source tree: the build generates _paths.py
    _BUILT_PLUGIN = None

#: The plugin's identifier (src/vapoursynth/plugin.cpp).
IDENTIFIER = "io.github.mlrt.ort"


def plugin_path() -> str | None:
    """mlrt's plugin: $MLRT_VAPOURSYNTH_PLUGIN, else the one this package was built with."""
    return os.environ.get("MLRT_VAPOURSYNTH_PLUGIN") or _BUILT_PLUGIN


def plugin(core: Any = None) -> Any:
    """core.ort, loading mlrt's plugin when the namespace is free. Raises ImportError without
    VapourSynth, RuntimeError when the plugin is missing or another plugin holds `ort`."""
    import vapoursynth as vs

    core = core if core is not None else vs.core
    if not hasattr(core, "ort"):
        path = plugin_path()
        if not path or not os.path.isfile(path):
            raise RuntimeError(
                "mlrt: VapourSynth has no 'ort' namespace and mlrt's plugin is not available "
                + (f"({path} is missing)" if path else
                   "(this build found no VapourSynth SDK)")
                + "; load it with core.std.LoadPlugin or set MLRT_VAPOURSYNTH_PLUGIN")
        core.std.LoadPlugin(path=path)
    ns = core.ort
    identifier = getattr(ns, "identifier", None)
    if identifier != IDENTIFIER:
        where = getattr(ns, "plugin_path", "?")
        raise RuntimeError(
            f"mlrt: VapourSynth's 'ort' namespace is held by another plugin ({identifier}, "
            f"loaded from {where}); mlrt needs its own ({IDENTIFIER}, {plugin_path()}): load "
            "only one of them")
    return ns


def _plain(value: Any) -> Any:
    """Values as VapourSynth takes them: enums as ints, collections as lists."""
    if isinstance(value, enum.IntEnum):
        return int(value)
    if isinstance(value, (str, bytes, bytearray)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Collection):
        return [_plain(v) for v in value]
    return value


def inference(clips: Any, network_path: Any, args: dict[str, Any], flexible: bool,
              flexible_prop: str) -> Any:
    import vapoursynth as vs

    core = vs.core
    ort = plugin(core)
    clips = [clips] if isinstance(clips, vs.VideoNode) else list(clips)
    fp16 = bool(args.get("fp16"))
    converted = []
    for c in clips:
        if isinstance(c, vs.VideoNode) and c.format is not None and c.format.sample_type != vs.FLOAT:
            c = c.resize.Point(format=c.format.replace(sample_type=vs.FLOAT,
                                                       bits_per_sample=16 if fp16 else 32))
        converted.append(c)
    call = {k: _plain(v) for k, v in args.items() if v is not None}
    if not args.get("path_is_serialization"):
        network_path = os.fspath(network_path)
    call["network_path"] = network_path
    ret = ort.Model(converted, **call)
    if not flexible:
        return ret
    prop = call.get("flexible_output_prop", flexible_prop)
    return [core.std.PropToClip(ret["clip"], prop=f"{prop}{i}") for i in range(ret["num_planes"])]
