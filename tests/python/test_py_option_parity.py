"""The Python module parses engine options with the configuration layer's one parser: the same
resolved options as the reference tool (mlrt_engine_args), and the same messages, also from
inference()."""
import ast
import subprocess

import pytest

from conftest import BUILD, mlrt

ENGINE_ARGS = BUILD / "tests" / "mlrt_engine_args"

CASES = [
    ({}, None),
    ({"tilesize": [64, 32], "overlap": [8, 4], "tile_mode": "balanced"}, None),
    ({"num_streams": 2, "intra_op_threads": 1, "fp16": True, "output_format": 0}, None),
    ({"provider": "cuda", "device_id": 1, "tf32": True, "cudnn_benchmark": False}, None),
    ({"fp16": True, "fp16_blacklist_ops": ["Conv", "Relu"]}, None),
    ({"tilesize": [0]}, "values must be between 1 and 1048576, got 0"),
    ({"tilesize": [16], "overlap": [8]},
     "is too large for tilesize: the width step 16 - 2*8 is not positive"),
    ({"overlap": [4]}, "must be given when overlap is not 0"),
    ({"num_streams": 65}, "must be in 1..64, got 65"),
    ({"device_id": -1}, "must be >= 0, got -1"),
    ({"provider": "TPU"}, "is invalid"),
]


def typed(key, value):
    if isinstance(value, bool):
        return f"{key}=b:{'true' if value else 'false'}"
    if isinstance(value, int):
        return f"{key}=i:{value}"
    if isinstance(value, list):
        kind = "ls" if value and isinstance(value[0], str) else "l"
        return f"{key}={kind}:{','.join(map(str, value))}"
    return f"{key}=s:{value}"


def reference(args):
    p = subprocess.run([str(ENGINE_ARGS), *[typed(k, v) for k, v in args.items()]],
                       capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    out = p.stdout.strip()
    if out.startswith("error: "):
        return None, out[len("error: "):]
    return ast.literal_eval(out), None


@pytest.fixture(scope="module", autouse=True)
def _tool():
    if not ENGINE_ARGS.exists():
        pytest.skip(f"{ENGINE_ARGS} was not built")


@pytest.mark.parametrize("args, problem", CASES, ids=[str(i) for i in range(len(CASES))])
def test_same_options_and_messages_as_the_configuration_layer(args, problem):
    resolved, error = reference(args)
    assert (error is None) == (problem is None), error
    if problem is None:
        assert mlrt._mlrt.engine_args(args) == resolved
    else:
        assert problem in error
        with pytest.raises(ValueError) as info:
            mlrt._mlrt.engine_args(args)
        assert str(info.value) == error


@pytest.mark.parametrize("args, problem", [c for c in CASES if c[1]],
                         ids=[str(i) for i, c in enumerate(CASES) if c[1]])
def test_inference_refuses_with_the_same_message(args, problem, make_model, frames):
    _, error = reference(args)
    with pytest.raises(ValueError) as info:
        mlrt.ORT_CPU(fp16=False).inference(frames(3, 8, 8), make_model("identity", 3), **args)
    assert str(info.value) == error
