"""The reference's classes: names, fields, defaults, types, enums, frozen dataclass behaviour,
validation through the C++ configuration layer, and get_args per class."""
import dataclasses
import enum
import inspect
import logging

import pytest

from conftest import mlrt

SHARED = {"num_streams": 1, "verbosity": None, "fp16": True, "fp16_blacklist_ops": None,
          "output_format": None}
# The reference's constructor keywords and defaults, per class (ORT_COREML's default is
# Provider.NEURAL_NETWORK, checked by value).
OWN = {
    "ORT": {},
    "ORT_CPU": {},
    "ORT_CUDA": {"device_id": 0, "cudnn_benchmark": True, "use_cuda_graph": False,
                 "tf32": False, "prefer_nhwc": False},
    "ORT_DML": {"device_id": 0},
    "ORT_COREML": {"ml_program": 0},
}
PROVIDERS = {"ORT_CPU": "CPU", "ORT_CUDA": "CUDA", "ORT_DML": "DML", "ORT_COREML": "COREML"}


@pytest.mark.parametrize("name", list(OWN))
def test_fields_and_defaults_match_the_reference(name):
    cls = getattr(mlrt, name)
    assert dataclasses.is_dataclass(cls)
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    assert defaults == SHARED | OWN[name]
    assert all(f.kw_only for f in dataclasses.fields(cls))
    params = inspect.signature(cls).parameters
    assert set(params) == set(SHARED) | set(OWN[name])
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    with pytest.raises(TypeError):
        cls(1)  # keyword-only


@pytest.mark.parametrize("name", list(PROVIDERS))
def test_instance_values_and_class_attributes(name):
    cls = getattr(mlrt, name)
    b = cls()
    for field, default in (SHARED | OWN[name]).items():
        if field != "verbosity":
            assert getattr(b, field) == default, field
    assert b.verbosity == mlrt.ORT.Verbosity.WARNING  # Python's default effective level
    assert cls.provider == PROVIDERS[name]
    assert cls.flexible_output_prop == "MlrtFlexible"
    assert issubclass(cls, mlrt.ORT) and issubclass(cls, mlrt.Backend)
    assert getattr(mlrt.Backend, name) is cls
    assert mlrt.ORT.Verbosity is cls.Verbosity and mlrt.Backend.OutputFormat is cls.OutputFormat


def test_coreml_ml_program_is_a_provider_enum():
    P = mlrt.ORT_COREML.Provider
    assert issubclass(P, enum.IntEnum)
    assert {m.name: m.value for m in P} == {"NEURAL_NETWORK": 0, "ML_PROGRAM": 1}
    assert mlrt.ORT_COREML().ml_program is P.NEURAL_NETWORK
    assert mlrt.ORT_COREML(ml_program=1).ml_program is P.ML_PROGRAM


def test_enums_match_the_reference():
    V, F = mlrt.ORT.Verbosity, mlrt.ORT.OutputFormat
    assert issubclass(V, enum.IntEnum) and issubclass(F, enum.IntEnum)
    assert {m.name: m.value for m in V} == {"VERBOSE": 0, "INFO": 1, "WARNING": 2, "ERROR": 3,
                                            "FATAL": 4}
    assert {m.name: m.value for m in F} == {"FP32": 0, "FP16": 1}


@pytest.mark.parametrize("level, expected", [
    (logging.DEBUG, "VERBOSE"), (logging.INFO, "INFO"), (logging.WARNING, "WARNING"),
    (logging.ERROR, "ERROR"), (logging.CRITICAL, "FATAL"), (logging.NOTSET, "WARNING"),
    (5, "WARNING"), (15, "WARNING"), (35, "WARNING"), (60, "WARNING"), (-1, "WARNING"),
])
def test_from_logging_over_all_levels(level, expected):
    V = mlrt.ORT.Verbosity
    assert V.from_logging(level) is V[expected]
    # The C++ configuration layer maps the same way.
    assert mlrt._mlrt.verbosity_from_logging(level) == V[expected].value


def test_from_logging_unknown_non_int_is_warning():
    assert mlrt.ORT.Verbosity.from_logging("DEBUG") is mlrt.ORT.Verbosity.WARNING
    assert mlrt.ORT.Verbosity.from_logging(None) is mlrt.ORT.Verbosity.WARNING


@pytest.mark.parametrize("level, expected", [
    (logging.DEBUG, 0), (logging.INFO, 1), (logging.ERROR, 3), (logging.CRITICAL, 4)])
def test_verbosity_none_follows_the_mlrt_logger_at_construction(level, expected):
    log = logging.getLogger("mlrt")
    previous = log.level
    log.setLevel(level)
    try:
        b = mlrt.ORT_CUDA()
        assert b.verbosity == expected and isinstance(b.verbosity, mlrt.ORT.Verbosity)
        assert mlrt.ORT_CPU(verbosity=2).verbosity == 2  # given: kept
    finally:
        log.setLevel(previous)
    assert b.verbosity == expected  # resolved once, not when read


def test_frozen_assignment_raises():
    b = mlrt.ORT_CUDA()
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.device_id = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.fp16 = False
    with pytest.raises(dataclasses.FrozenInstanceError):
        del b.num_streams


def test_replace_builds_a_new_checked_value():
    b = mlrt.ORT_CUDA(num_streams=2)
    c = dataclasses.replace(b, tf32=True)
    assert (c.tf32, c.num_streams, c.verbosity) == (True, 2, b.verbosity)
    assert b.tf32 is False
    with pytest.raises(ValueError, match="ORT_CUDA: argument 'device_id' must be >= 0, got -1"):
        dataclasses.replace(b, device_id=-1)


def test_eq_hash_repr_are_dataclass_style():
    assert mlrt.ORT_CUDA(device_id=1) == mlrt.ORT_CUDA(device_id=1)
    assert mlrt.ORT_CUDA(device_id=1) != mlrt.ORT_CUDA()
    assert mlrt.ORT_CPU() != mlrt.ORT_DML()  # the type is part of the value
    assert hash(mlrt.ORT_DML(device_id=2)) == hash(mlrt.ORT_DML(device_id=2))
    assert len({mlrt.ORT_CPU(), mlrt.ORT_CPU(), mlrt.ORT_CPU(fp16=False)}) == 2
    assert repr(mlrt.ORT_DML(device_id=3, verbosity=1)) == (
        "ORT_DML(num_streams=1, verbosity=1, fp16=True, fp16_blacklist_ops=None, "
        "output_format=None, device_id=3)")


def test_no_other_runtimes():
    for name in ("TRT", "TRT_RTX", "OV", "OV_CPU", "OV_GPU", "OV_NPU", "NCNN", "NCNN_VK", "MIGX"):
        assert not hasattr(mlrt, name), name
        assert not hasattr(mlrt.Backend, name), name


def test_plugin_is_the_ort_namespace():
    from conftest import VS_SKIP, vs
    assert mlrt.PLUGIN_NAMESPACE == "ort"
    if vs is None:  # no VapourSynth: no plugin to hand out, and hasattr() says so
        assert not hasattr(mlrt.ORT_CPU, "plugin")
        with pytest.raises(AttributeError, match="needs VapourSynth"):
            mlrt.ORT_CPU().plugin
    elif VS_SKIP is None:  # mlrt's plugin, loaded on first use
        assert mlrt.ORT_CPU.plugin.namespace == "ort"
        assert mlrt.ORT_CUDA().plugin.identifier == "io.github.mlrt.ort"
    else:  # VapourSynth without mlrt's plugin built
        with pytest.raises(RuntimeError, match="mlrt's plugin is not available"):
            mlrt.ORT_CPU.plugin


@pytest.mark.parametrize("kwargs, message", [
    ({"num_streams": 0}, "ORT_CUDA: argument 'num_streams' must be >= 1, got 0"),
    ({"num_streams": "2"}, "ORT_CUDA: argument 'num_streams' must be an integer, got str '2'"),
    ({"verbosity": 5}, "ORT_CUDA: argument 'verbosity' must be in 0..4, got 5"),
    ({"fp16": "yes"}, "ORT_CUDA: argument 'fp16' must be a bool (or 0/1), got str 'yes'"),
    ({"output_format": 2}, "ORT_CUDA: argument 'output_format' must be in 0..1, got 2"),
    ({"fp16_blacklist_ops": [1, 2]}, "ORT_CUDA: argument 'fp16_blacklist_ops' must be a list "
                                     "of strings, got list[int] [1, 2]"),
    ({"device_id": -1}, "ORT_CUDA: argument 'device_id' must be >= 0, got -1"),
    ({"tf32": 2}, "ORT_CUDA: argument 'tf32' must be a bool (or 0/1), got int 2"),
    ({"cudnn_benchmark": object()}, "ORT_CUDA: argument 'cudnn_benchmark' has a type mlrt "
                                    "cannot pass on: object"),
])
def test_invalid_values_raise_the_configuration_layers_message(kwargs, message):
    with pytest.raises(ValueError) as info:
        mlrt.ORT_CUDA(**kwargs)
    assert str(info.value) == message
    assert info.value.mlrt_kind == "invalid argument"


def test_invalid_values_of_the_other_classes():
    with pytest.raises(ValueError, match=r"^ORT_COREML: argument 'ml_program' must be in 0..1"):
        mlrt.ORT_COREML(ml_program=2)
    with pytest.raises(ValueError, match=r"^ORT_DML: argument 'device_id' must be >= 0"):
        mlrt.ORT_DML(device_id=-3)
    with pytest.raises(ValueError, match=r"^ORT_CPU: argument 'num_streams' must be >= 1"):
        mlrt.ORT_CPU(num_streams=-1)
    with pytest.raises(ValueError, match=r"^ORT: argument 'num_streams' must be >= 1"):
        mlrt.ORT(num_streams=0)
    with pytest.raises(TypeError):
        mlrt.ORT_CPU(device_id=0)  # not a field of ORT_CPU


def test_get_args_cpu():
    args = mlrt.ORT_CPU(verbosity=3, fp16=False, fp16_blacklist_ops=("Conv",)).get_args()
    assert args == {"fp16": False, "output_format": 0, "provider": "CPU", "num_streams": 1,
                    "verbosity": 3, "fp16_blacklist_ops": ["Conv"]}
    assert list(args) == ["fp16", "output_format", "provider", "num_streams", "verbosity",
                          "fp16_blacklist_ops"]  # the reference's order


def test_get_args_cuda():
    args = mlrt.ORT_CUDA(device_id=1, tf32=True, num_streams=2, verbosity=0).get_args(None)
    assert args == {"fp16": True, "output_format": 1, "provider": "CUDA", "num_streams": 2,
                    "verbosity": 0, "fp16_blacklist_ops": None, "device_id": 1,
                    "cudnn_benchmark": True, "use_cuda_graph": False, "prefer_nhwc": False,
                    "tf32": True}
    assert list(args)[6:] == ["device_id", "cudnn_benchmark", "use_cuda_graph", "prefer_nhwc",
                              "tf32"]


def test_get_args_dml_and_coreml():
    assert mlrt.ORT_DML(device_id=2, verbosity=2).get_args() == {
        "fp16": True, "output_format": 1, "provider": "DML", "num_streams": 1, "verbosity": 2,
        "fp16_blacklist_ops": None, "device_id": 2}
    args = mlrt.ORT_COREML(ml_program=mlrt.ORT_COREML.Provider.ML_PROGRAM, verbosity=2).get_args()
    assert args == {"fp16": True, "output_format": 1, "provider": "COREML", "num_streams": 1,
                    "verbosity": 2, "fp16_blacklist_ops": None, "ml_program": 1}
    assert args["ml_program"] is mlrt.ORT_COREML.Provider.ML_PROGRAM


@pytest.mark.parametrize("fp16, output_format, resolved", [
    (True, None, 1), (False, None, 0), (True, 0, 0), (False, 1, 1)])
def test_get_args_resolves_output_format(fp16, output_format, resolved):
    args = mlrt.ORT_CPU(fp16=fp16, output_format=output_format).get_args()
    assert args["output_format"] == resolved and type(args["output_format"]) is int


def test_get_args_is_what_the_engine_parser_takes():
    # Every get_args dict feeds the one C++ option parser unchanged.
    for b in (mlrt.ORT_CPU(), mlrt.ORT_CUDA(device_id=1, prefer_nhwc=True), mlrt.ORT_DML(),
              mlrt.ORT_COREML(ml_program=1)):
        engine = mlrt._mlrt.engine_args(b.get_args())
        assert engine["provider"] == b.provider
        assert engine["num_streams"] == b.num_streams


def test_base_ort_has_no_provider_args():
    b = mlrt.ORT(fp16=False)
    assert b.fp16 is False
    with pytest.raises(TypeError, match="names no provider"):
        b.get_args()
