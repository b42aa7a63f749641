"""Each engine option has one name, one default, one check and one message in every front end.

One table of options is given to the configuration layer's parser (through the test tool
mlrt_engine_args: the reference), to the command line (`mlrt bench --json`, which reports the
options it used) and to the VapourSynth plugin (`core.ort.Model`, where VapourSynth is available).
Accepted options must come out the same; refused ones must be refused with the same problem,
each front end naming the argument its own way (`--streams` on the command line, 'num_streams'
in scripts)."""
import ast
import json
import os
import subprocess
from pathlib import Path

import pytest

from helpers import MLRT, REPO, mlrt

BUILD = Path(os.environ.get("MLRT_BUILD_DIR", REPO / "build"))
ENGINE_ARGS = BUILD / "tests" / "mlrt_engine_args"
PLUGIN = BUILD / "src" / "vapoursynth" / "libmlrt_ort.so"

# The command line's two policy defaults, documented in its --help: balanced tiles, and ONNX
# Runtime's messages from ERROR up unless -v. Scripts keep upstream's literal tiles and WARNING.
CLI_POLICY = {"tile_mode": "balanced", "verbosity": 3}

# (id, command-line flags, ort.Model arguments, the problem every front end must report or None)
TABLE = [
    ("defaults", [], {}, None),
    ("tiles", ["--tilesize", "64x32", "--overlap", "8x4", "--tile-mode", "literal"],
     {"tilesize": [64, 32], "overlap": [8, 4], "tile_mode": "literal"}, None),
    ("streams-threads", ["--streams", "2", "--threads", "1"],
     {"num_streams": 2, "intra_op_threads": 1}, None),
    ("fp16", ["--fp16", "--output-format", "fp32"], {"fp16": True, "output_format": 0}, None),
    ("square-tile", ["--tilesize", "48", "--overlap", "4"], {"tilesize": [48], "overlap": [4]}, None),
    ("tilesize-0", ["--tilesize", "0"], {"tilesize": [0]},
     "values must be between 1 and 1048576, got 0"),
    ("overlap-too-large", ["--tilesize", "16", "--overlap", "8"], {"tilesize": [16], "overlap": [8]},
     "is too large for tilesize: the width step 16 - 2*8 is not positive"),
    ("overlap-alone", ["--overlap", "4"], {"overlap": [4]}, "must be given when overlap is not 0"),
    ("streams-0", ["--streams", "0"], {"num_streams": 0}, "must be in 1..64, got 0"),
    ("streams-65", ["--streams", "65"], {"num_streams": 65}, "must be in 1..64, got 65"),
    ("threads-negative", ["--threads", "-1"], {"intra_op_threads": -1}, "must be >= 0, got -1"),
    ("device-negative", ["--device", "-1"], {"device_id": -1}, "must be >= 0, got -1"),
]
# How each front end names an argument in its messages.
CLI_NAMES = {"tilesize": "--tilesize", "overlap": "--overlap", "num_streams": "--streams",
             "intra_op_threads": "--threads", "device_id": "--device"}


def typed(key, value):
    if isinstance(value, bool):
        return f"{key}=b:{'true' if value else 'false'}"
    if isinstance(value, int):
        return f"{key}=i:{value}"
    if isinstance(value, list):
        return f"{key}=l:{','.join(map(str, value))}"
    return f"{key}=s:{value}"


def reference(args, tile_mode="literal"):
    """The configuration layer's verdict: (resolved arguments, None) or (None, message)."""
    if not ENGINE_ARGS.exists():
        pytest.skip(f"{ENGINE_ARGS} was not built")
    p = subprocess.run([str(ENGINE_ARGS), "--default-tile-mode", tile_mode,
                        *[typed(k, v) for k, v in args.items()]], capture_output=True, text=True)
    assert p.returncode in (0, 1), p.stderr
    out = p.stdout.strip()
    if out.startswith("error: "):
        return None, out[len("error: "):]
    return ast.literal_eval(out), None


@pytest.mark.parametrize("case", TABLE, ids=[c[0] for c in TABLE])
def test_command_line_matches_the_configuration_layer(case, models):
    _, flags, args, problem = case
    resolved, error = reference({**CLI_POLICY, **args}, tile_mode="balanced")
    assert (error is None) == (problem is None), error
    p = mlrt("bench", models["identity"], "--size", "96x64", "--repeats", "1", "--warmup", "0",
             "--json", *flags, check=False)
    if problem is None:
        assert p.returncode == 0, p.stderr
        used = json.loads(p.stdout)["engine_args"]
        assert used == resolved
    else:
        assert p.returncode == 2, p.stderr  # bad usage
        assert problem in error and problem in p.stderr, (error, p.stderr)
        # Same problem, the command line's own name for the argument.
        named = [n for n in CLI_NAMES.values() if f"error: {n} " in p.stderr]
        assert named, p.stderr
        assert "argument '" in error


def plugin_core():
    try:
        import vapoursynth as vs
    except ImportError as e:
        pytest.skip(f"VapourSynth is not installed here ({e}); set MLRT_VAPOURSYNTH_ENV")
    if not PLUGIN.exists():
        pytest.skip(f"the plugin was not built ({PLUGIN} missing)")
    core = vs.core
    if not hasattr(core, "ort"):
        core.std.LoadPlugin(path=str(PLUGIN))
    return vs, core


@pytest.mark.parametrize("case", TABLE, ids=[c[0] for c in TABLE])
def test_plugin_matches_the_configuration_layer(case, models):
    _, _, args, problem = case
    vs, core = plugin_core()
    _, error = reference(args)
    assert (error is None) == (problem is None), error
    clip = core.std.BlankClip(width=96, height=64, format=vs.RGBS, length=1)
    if problem is None:
        out = core.ort.Model(clip, network_path=str(models["identity"]), **args)
        assert (out.width, out.height) == (96, 64)
        out.get_frame(0)
    else:
        with pytest.raises(vs.Error) as info:
            core.ort.Model(clip, network_path=str(models["identity"]), **args).get_frame(0)
        # The plugin's message is the configuration layer's, behind the filter's own prefix.
        assert str(info.value) == "Model: " + error.removeprefix("ort.Model: ")
