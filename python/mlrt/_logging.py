"""ONNX Runtime's log lines go to Python's logging: logger "mlrt.onnxruntime", at the level
matching ONNX Runtime's severity (VERBOSE -> DEBUG, INFO, WARNING, ERROR, FATAL -> CRITICAL).
Which lines ONNX Runtime writes at all is the backend's `verbosity` (by default derived from
logging.getLogger("mlrt")'s level when the backend is built)."""
from __future__ import annotations

import atexit
import logging

from . import _mlrt

logger = logging.getLogger("mlrt.onnxruntime")

LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR,
          4: logging.CRITICAL}


def _log(severity: int, ort_logger: str, location: str, message: str) -> None:
    level = LEVELS.get(severity, logging.WARNING)
    if logger.isEnabledFor(level):
        logger.log(level, "%s", message,
                   extra={"ort_logger": ort_logger, "ort_location": location})


def install() -> None:
    """Route ONNX Runtime's lines to the "mlrt.onnxruntime" logger (done on import)."""
    _mlrt.set_log_handler(_log)


def uninstall() -> None:
    """Let ONNX Runtime's lines go to stderr again."""
    _mlrt.set_log_handler(None)


install()
# No calls into Python once it shuts down.
atexit.register(uninstall)
