"""Models by name: mlrt's catalogue of known models and the local store they are pulled into
(the same as `mlrt models`; $MLRT_MODELS_DIR, else $XDG_CACHE_HOME/mlrt/models, else
~/.cache/mlrt/models). A name works wherever a model path does:

    import mlrt
    clip = mlrt.ORT_CPU().inference(clip, "realesr-animevideov3-x2")
    core.ort.Model(clip, mlrt.models.path("realesr-animevideov3-x2"))

A pull says what it does through logging.getLogger("mlrt.models"). Failures (unknown name, no
network, a checksum mismatch, offline) raise ValueError naming the source and how to get the
file by hand."""
from __future__ import annotations

import logging
import os
from typing import Any

from . import _mlrt

logger = logging.getLogger("mlrt.models")


def _offline(offline: bool | None) -> bool:
    if offline is None:
        return os.environ.get("MLRT_OFFLINE", "") in ("1", "true", "yes", "on")
    return bool(offline)


def directory() -> str:
    """Where pulled models are stored."""
    return _mlrt.models_dir()


def list() -> list[dict[str, Any]]:  # noqa: A001 - the module's verb, as `mlrt models list`
    """Every catalogue entry: name, family, task, scale, planes, licence, description, upstream,
    flags, source, catalogue, pulled (bool) and path."""
    return _mlrt.models_list()


def is_known(name: str) -> bool:
    """Whether `name` is in the catalogue."""
    return _mlrt.models_is_known(name)


def path(name: str, *, offline: bool | None = None) -> str:
    """The stored model's file, pulled first if needed (unless offline: then ValueError)."""
    return _mlrt.models_path(name, _offline(offline), logger.info)


def pull(*names: str, force: bool = False, offline: bool | None = None) -> list[str]:
    """Fetches, checks and stores each model (again with `force`); returns their paths."""
    return [_mlrt.models_pull(n, force, _offline(offline), logger.info) for n in names]


def remove(name: str) -> bool:
    """Removes a pulled model from the store; False when it was not there."""
    return _mlrt.models_remove(name)


def resolve(model: Any) -> Any:
    """A model argument as inference() takes it: a str that names no file but a catalogue model
    becomes that model's stored path (pulled on first use); anything else is returned as is."""
    if isinstance(model, str) and model and not os.path.exists(model) and "/" not in model \
            and not model.endswith(".onnx") and is_known(model):
        return path(model)
    return model
