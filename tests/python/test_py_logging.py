"""ONNX Runtime's log lines reach Python's logging ("mlrt.onnxruntime") at the matching level,
as many as the backend's verbosity lets through."""
import logging
import shutil

import pytest

from conftest import mlrt


@pytest.fixture()
def fresh_model(tmp_path, make_model):
    """A model file no cached engine has seen, so a new session is created (and logs)."""
    def make(name):
        path = tmp_path / f"{name}.onnx"
        shutil.copy(make_model("conv", 3, 3, 1, 1), path)
        return path
    return make


def ort_records(caplog):
    return [r for r in caplog.records if r.name == "mlrt.onnxruntime"]


def test_verbose_session_lines_go_to_python_logging(caplog, fresh_model, frames):
    caplog.set_level(logging.DEBUG, logger="mlrt.onnxruntime")
    mlrt.ORT_CPU(fp16=False, verbosity=mlrt.ORT.Verbosity.VERBOSE).inference(
        frames(3, 8, 8), fresh_model("verbose"))
    records = ort_records(caplog)
    assert records, "ONNX Runtime logged nothing at VERBOSE"
    assert {r.levelno for r in records} <= {logging.DEBUG, logging.INFO, logging.WARNING}
    assert any(r.levelno in (logging.DEBUG, logging.INFO) for r in records)
    assert all(r.getMessage() and isinstance(r.ort_location, str) for r in records)


def test_fatal_verbosity_lets_nothing_through(caplog, fresh_model, frames):
    caplog.set_level(logging.DEBUG, logger="mlrt.onnxruntime")
    mlrt.ORT_CPU(fp16=False, verbosity=mlrt.ORT.Verbosity.FATAL).inference(
        frames(3, 8, 8), fresh_model("fatal"))
    assert ort_records(caplog) == []


def test_severity_maps_to_logging_levels():
    from mlrt import _logging
    assert _logging.LEVELS == {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING,
                               3: logging.ERROR, 4: logging.CRITICAL}


def test_handler_can_be_replaced_and_restored(caplog, fresh_model, frames):
    from mlrt import _logging
    seen = []
    mlrt._mlrt.set_log_handler(lambda *line: seen.append(line))
    try:
        mlrt.ORT_CPU(fp16=False, verbosity=0).inference(frames(3, 8, 8), fresh_model("own"))
    finally:
        _logging.install()
    assert seen and all(isinstance(s, int) and 0 <= s <= 4 for s, *_ in seen)
    assert all(isinstance(text, str) for line in seen for text in line[1:])
    with pytest.raises(TypeError):
        mlrt._mlrt.set_log_handler(42)
