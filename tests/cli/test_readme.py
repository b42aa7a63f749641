"""README.md's shell and Python code blocks, run as a new user would run them.

Every fenced block of README.md is found and given an id, its heading and its number under that
heading (`The command line #1`). Each shell block (sh, bash, shell, console) runs under
`bash -e -o pipefail`, each Python block under /usr/bin/python3, in README order, each in a fresh
directory that holds the files the README's placeholders name, made small by `mlrt make-model`
and `mlrt make-clip` (model.onnx, in.mkv, in.mp4, frame.png, DIR/, script.py), with `build`
linked to the build tree and `mlrt` (the build's) and `python3` (/usr/bin/python3) first on PATH;
Python blocks get PYTHONPATH=build/python (shell blocks set it themselves, as the README does). A
block must exit 0 within BLOCK_TIMEOUT_S, and the files the README says it writes must be there.

What is not run is listed here, with the reason, and nothing else is skipped:
- NOT_RUN: whole blocks;
- SKIPPED_LINES: single commands or statements of a block (a line and its continuation lines),
  named by a part of their first line that must match exactly one line of the block;
- REQUIRES: blocks that run only where what they need is there (VapourSynth, Dask's distributed,
  the Python module), reported as skipped with the reason otherwise.
A block the README gains later runs unless it is listed; a table entry that names no block, or a
line no block has, fails, so the tables follow the README."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import MLRT, REPO

README = REPO / "README.md"
BUILD = Path(os.environ.get("MLRT_BUILD_DIR", REPO / "build")).resolve()
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
BLOCK_TIMEOUT_S = 120

SHELL_LANGS = {"sh", "bash", "shell", "console"}
PYTHON_LANGS = {"python", "py", "python3"}

SCALE_OUT = "Scale-out: one video over many machines"
MODELS = "Models by name"
# The npm package the catalogue's models come from, as scripts/setup-ncnn-programs.sh caches it:
# the store the blocks use starts with it, so they pull without the network.
PACKAGE_TGZ = REPO / ".deps" / "cache" / "waifu2x-1.6.5.tgz"
NCNN_MODELS = REPO / ".deps" / "waifu2x" / "package" / "real-cugan" / "models-se"

# Blocks that are never run, with the reason.
NOT_RUN = {
    "mlrt #1": "the README's two opening commands: scripts/demo.sh is a fresh-machine set-up "
               "(installs packages, fetches ONNX Runtime, builds from scratch) and scripts/test.sh "
               "runs every suite, this one included (about 30 minutes)",
    "The C++ API #1": "C++, not a shell or Python block (and a fragment: `frames` is the caller's); "
                      "tests/consumer builds a find_package(mlrt) project against an installed prefix",
}

# Commands (shell) or statements (Python) of a block that are not run: {block: {part of the
# first line: reason}}.
SKIPPED_LINES = {
    "The command line #1": {
        "--backend webgpu": "needs a GPU (a WebGPU adapter); tests/cli/test_webgpu.py runs "
                            "--backend webgpu on a software Vulkan device",
    },
    "Python #2": {
        "Backend.ORT_CUDA": "needs an NVIDIA GPU (CUDA) and a VapourSynth clip",
    },
    f"{SCALE_OUT} #1": {
        "dask scheduler": "starts a cluster on several machines",
        "dask worker": "starts a cluster on several machines",
        "/shared/model.onnx": "runs on a cluster of several machines (and needs an NVIDIA GPU: "
                              "--backend cuda)",
    },
}


def _python_has(module):
    p = subprocess.run([PYTHON, "-c", f"import {module}"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    return None if p.returncode == 0 else p.stderr.strip().splitlines()[-1]


def _needs_python_module():
    if not (BUILD / "python" / "mlrt" / "__init__.py").exists():
        return f"the Python module was not built ({BUILD / 'python' / 'mlrt'} missing)"
    return None


def _needs_vapoursynth():
    err = _python_has("vapoursynth")
    if err:
        return (f"VapourSynth is not installed here ({PYTHON}: import vapoursynth: {err}); set "
                "MLRT_VAPOURSYNTH_ENV to a VapourSynth's env.sh to run it")
    plugin = BUILD / "src" / "vapoursynth" / "libmlrt_ort.so"
    if not plugin.exists():
        return f"the VapourSynth plugin was not built ({plugin} missing)"
    return None


def _needs_distributed():
    err = _python_has("distributed")
    return f"needs Debian's python3-distributed ({err})" if err else _needs_python_module()


def _needs_model_package():
    if not PACKAGE_TGZ.exists() or not NCNN_MODELS.is_dir():
        return (f"the catalogue's npm package is not cached ({PACKAGE_TGZ}, {NCNN_MODELS}: "
                "scripts/setup-ncnn-programs.sh); pulling it would need the npm registry")
    return None


def _needs_cmake():
    return None if shutil.which("cmake") else "cmake is not installed"


# Blocks that run only where what they need is there: {block: [check returning a reason or None]}.
REQUIRES = {
    "VapourSynth #1": [_needs_vapoursynth],
    "VapourSynth #2": [_needs_vapoursynth, _needs_python_module, _needs_model_package],
    f"{MODELS} #1": [_needs_model_package],
    "Python #1": [_needs_python_module, _needs_cmake],
    "Python #2": [_needs_python_module],
    f"{SCALE_OUT} #1": [_needs_distributed],
}

# Names a Python block uses without defining them (the README's placeholders), defined first;
# and checks of what the README says a block gives, run after it in the same process.
_VS_PRELUDE = (
    "import vapoursynth as vs\n"
    "from vapoursynth import core\n"
    "core.std.LoadPlugin(\"build/src/vapoursynth/libmlrt_ort.so\")\n"
    "rgbs_clip = core.std.BlankClip(width=64, height=36, format=vs.RGBS, length=2, "
    "color=[0.25, 0.5, 0.75])\n")
PYTHON_PRELUDE = {
    "VapourSynth #2": _VS_PRELUDE,
    "VapourSynth #1": (
        "import vapoursynth as vs\n"
        "from vapoursynth import core\n"
        "rgbs_clip = core.std.BlankClip(width=64, height=36, format=vs.RGBS, length=2, "
        "color=[0.25, 0.5, 0.75])\n"),
}
PYTHON_EPILOGUE = {
    # model.onnx is a 2x upscaler: s = 2
    "VapourSynth #1": (
        "frame = clip.get_frame(1)\n"
        "assert (clip.width, clip.height, clip.num_frames) == (128, 72, 2), clip\n"),
    "Python #2": "assert out.shape == (3, 1080, 1920), out.shape\n",
    "VapourSynth #2": (
        "frame = clip.get_frame(1)\n"
        "assert (clip.width, clip.height) == (128, 72), clip\n"),
}


def _probe(workdir, name):
    p = subprocess.run([str(MLRT), "probe", name, "--json"], cwd=workdir, capture_output=True,
                       text=True, check=True)
    return json.loads(p.stdout)


def _check_command_line(workdir):
    part = _probe(workdir, "part.mkv")  # --frames 1200:2400: frames 1200..2399 only
    assert part["frames"] == 1200, part
    joined = _probe(workdir, "joined.mkv")
    assert joined["frames"] == 1200, joined
    sample = _probe(workdir, "sample.mkv")  # --size 320x180 --duration 2, at 24 fps
    assert (sample["width"], sample["height"], sample["frames"]) == (320, 180, 48), sample


def _check_scale_out(workdir):
    out = _probe(workdir, "out.mkv")  # the frames of one `mlrt run` (2x), FFV1 in Matroska
    assert (out["codec"], out["width"], out["height"], out["frames"]) == ("ffv1", 128, 72, 2400), out


# Files the README says a block writes, and further checks of what it says they hold.
OUTPUTS = {
    "The command line #1": ["out.mkv", "out.png", "out_x265.mkv", "part.mkv", "joined.mkv",
                            "up2x.onnx", "sample.mkv"],
    "Python #1": ["PREFIX/lib/python3/dist-packages/mlrt/__init__.py", "PREFIX/bin/mlrt"],
    "int8 on CPU #1": ["out.mkv", "model.calibration"],
    f"{SCALE_OUT} #1": ["out.mkv"],
    f"{MODELS} #1": ["anime_2x.mkv", "photos_2x/a.png", "photos_2x/more/b.jpg", "cugan.onnx"],
}
CHECKS = {
    "The command line #1": _check_command_line,
    f"{SCALE_OUT} #1": _check_scale_out,
}


# ---- README parsing ---------------------------------------------------------------------------

class Block:
    def __init__(self, id, lang, code, line):
        self.id, self.lang, self.code, self.line = id, lang, code, line

    def __repr__(self):
        return f"Block({self.id!r}, {self.lang!r}, README.md:{self.line})"


def parse_readme(text):
    """Every fenced block, in order: id `HEADING #N` (N counts the blocks under that heading)."""
    blocks, counts, heading = [], {}, "(top)"
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        if fence is None:
            m = re.match(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)", line)
            if m:
                fence, lang, body, start = m.group(1), m.group(2).lower(), [], number
                continue
            h = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
            if h:
                heading = h.group(1)
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            counts[heading] = counts.get(heading, 0) + 1
            blocks.append(Block(f"{heading} #{counts[heading]}", lang, "\n".join(body) + "\n", start))
            fence = None
        else:
            body.append(line)
    assert fence is None, "README.md ends inside a code block"
    return blocks


def console_commands(code):
    """A console block's commands: the `$ ` lines (and their continuations); the rest is output."""
    out, cont = [], False
    for line in code.splitlines():
        if cont or line.startswith("$ "):
            out.append(line if cont else line[2:])
            cont = line.endswith("\\")
    return "\n".join(out) + "\n"


def _shell_units(lines):
    """(first, last) line index of each command: a line and the lines its trailing `\\` joins."""
    units, i = [], 0
    while i < len(lines):
        j = i
        while lines[j].rstrip().endswith("\\") and j + 1 < len(lines):
            j += 1
        units.append((i, j))
        i = j + 1
    return units


def _python_units(code):
    import ast
    return [(node.lineno - 1, node.end_lineno - 1) for node in ast.parse(code).body]


def drop_lines(block, code):
    """The code without the commands SKIPPED_LINES names for this block; each name must match the
    first line of exactly one command."""
    skips = SKIPPED_LINES.get(block.id, {})
    if not skips:
        return code
    lines = code.splitlines()
    units = _python_units(code) if block.lang in PYTHON_LANGS else _shell_units(lines)
    dropped = {}
    for part, reason in skips.items():
        hits = [(a, b) for a, b in units if part in lines[a] and not lines[a].lstrip().startswith("#")]
        assert len(hits) == 1, (f"SKIPPED_LINES[{block.id!r}][{part!r}] matches {len(hits)} "
                                f"commands of the block, not 1:\n{code}")
        a, b = hits[0]
        dropped[a] = f"# not run ({reason}):"
        dropped.update({i: None for i in range(a + 1, b + 1)})
    out = []
    for i, line in enumerate(lines):
        if i in dropped:
            if dropped[i]:
                out.append(dropped[i])
            line = "# " + line
        out.append(line)
    return "\n".join(out) + "\n"


BLOCKS = parse_readme(README.read_text(encoding="utf-8"))


# ---- the inputs the placeholders name ---------------------------------------------------------

SCRIPT_PY = '''\
# script.py for `PYTHONPATH=PREFIX/lib/python3/dist-packages python3 script.py` (test_readme.py):
# the installed package, not the build tree's, is the one imported.
import os
import mlrt
assert "PREFIX" in mlrt.__file__.split(os.sep), mlrt.__file__
print(mlrt.autoselect())
'''


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """The placeholder files, made once: model.onnx (2x upscaler), in.mkv (2400 frames of 64x36, so
    that `--frames 1200:2400` has its frames), in.mp4, frame.png, DIR/ (workloads), script.py."""
    d = tmp_path_factory.mktemp("readme_inputs")

    def make(*args):
        p = subprocess.run([str(MLRT), *args], cwd=d, capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, f"mlrt {' '.join(args)} failed ({p.returncode}):\n{p.stderr}"
    make("make-model", "-q", "--kind", "upscale2x", "model.onnx")
    make("make-clip", "-q", "--size", "64x36", "--fps", "24", "--duration", "100", "in.mkv")
    make("make-clip", "-q", "--size", "64x36", "--fps", "24", "--duration", "1", "in.mp4")
    make("make-clip", "-q", "--size", "64x36", "--fps", "24", "--duration", "0.01", "frame.png")
    (d / "DIR").mkdir()
    make("make-model", "-q", "--kind", "upscale2x", "DIR/rgb.onnx")
    make("make-model", "-q", "--kind", "gray-identity", "DIR/luma.onnx")
    (d / "script.py").write_text(SCRIPT_PY)
    make("make-clip", "-q", "--size", "64x36", "--fps", "24", "--duration", "0.5", "anime.mkv")
    (d / "photos" / "more").mkdir(parents=True)
    make("make-clip", "-q", "--size", "40x30", "--fps", "24", "--duration", "0.01", "photos/a.png")
    make("make-clip", "-q", "--size", "36x20", "--fps", "24", "--duration", "0.01", "photos/more/b.jpg")
    if NCNN_MODELS.is_dir():
        for ext in ("param", "bin"):
            shutil.copy(NCNN_MODELS / f"up2x-conservative.{ext}", d / f"up2x-conservative.{ext}")
    for name in ("model.onnx", "in.mkv", "in.mp4", "frame.png", "DIR/rgb.onnx", "DIR/luma.onnx"):
        assert (d / name).is_file(), name
    return d


@pytest.fixture(scope="module")
def tools(tmp_path_factory):
    """A bin directory with the build's mlrt and /usr/bin/python3 as `mlrt` and `python3`."""
    d = tmp_path_factory.mktemp("readme_bin")
    os.symlink(MLRT.resolve(), d / "mlrt")
    os.symlink(PYTHON, d / "python3")
    return d


def _env(tools, workdir, tmp_path_factory, python_block):
    """The environment a block runs in. Shell blocks say PYTHONPATH=build/python themselves where
    they need the build tree's package, so only Python blocks get it from here."""
    env = dict(os.environ)
    env["PATH"] = f"{tools}{os.pathsep}{env.get('PATH', '')}"
    if python_block:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(workdir / "build" / "python")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("MLRT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "readme_cache"))
    env.pop("MLRT_BIN", None)  # mlrt.distributed's workers: the package's own, or PATH's
    store = tmp_path_factory.getbasetemp() / "readme_models"
    if PACKAGE_TGZ.exists() and not (store / ".packages").exists():
        (store / ".packages").mkdir(parents=True)
        os.symlink(PACKAGE_TGZ, store / ".packages" / "waifu2x_1.6.5.tgz")
    env["MLRT_MODELS_DIR"] = str(store)
    env["XDG_CONFIG_HOME"] = str(tmp_path_factory.getbasetemp() / "readme_config")
    env.pop("MLRT_MODELS_CATALOGUE", None)
    env.pop("MLRT_OFFLINE", None)
    return env


def _run(argv, cwd, env):
    """Runs a block in its own process group; on a timeout kills the group (a block's servers
    and workers too) and returns None."""
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=BLOCK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a process that left the group holds the pipes
            pass
        return None
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


# ---- the tests --------------------------------------------------------------------------------

def test_the_tables_name_blocks_the_readme_has():
    ids = {b.id for b in BLOCKS}
    for table, name in ((NOT_RUN, "NOT_RUN"), (SKIPPED_LINES, "SKIPPED_LINES"), (REQUIRES, "REQUIRES"),
                        (PYTHON_PRELUDE, "PYTHON_PRELUDE"), (PYTHON_EPILOGUE, "PYTHON_EPILOGUE"),
                        (OUTPUTS, "OUTPUTS"), (CHECKS, "CHECKS")):
        stale = sorted(set(table) - ids)
        assert not stale, f"{name} names blocks README.md does not have: {stale}; it has {sorted(ids)}"
    for block in BLOCKS:
        if block.id not in NOT_RUN:
            assert block.lang in SHELL_LANGS | PYTHON_LANGS, (
                f"{block}: a {block.lang or 'plain'} block can be neither run here nor is it listed "
                "in NOT_RUN with a reason")
            drop_lines(block, block.code)  # each SKIPPED_LINES entry matches one command


@pytest.mark.parametrize("block", BLOCKS, ids=[b.id for b in BLOCKS])
def test_readme_block(block, inputs, tools, tmp_path, tmp_path_factory):
    if block.id in NOT_RUN:
        pytest.skip(f"not run: {NOT_RUN[block.id]}")
    if block.lang not in SHELL_LANGS | PYTHON_LANGS:
        pytest.fail(f"{block}: a {block.lang or 'plain'} block, neither run nor listed in NOT_RUN")
    for check in REQUIRES.get(block.id, []):
        reason = check()
        if reason:
            pytest.skip(reason)

    workdir = tmp_path / "work"
    shutil.copytree(inputs, workdir)
    os.symlink(BUILD, workdir / "build")
    env = _env(tools, workdir, tmp_path_factory, block.lang in PYTHON_LANGS)

    if block.lang in SHELL_LANGS:
        code = console_commands(block.code) if block.lang == "console" else block.code
        script = tmp_path / "block.sh"
        script.write_text(drop_lines(block, code))
        argv = ["bash", "-e", "-o", "pipefail", "-x", str(script)]
    else:
        script = tmp_path / "block.py"
        script.write_text(PYTHON_PRELUDE.get(block.id, "") + drop_lines(block, block.code) +
                          PYTHON_EPILOGUE.get(block.id, ""))
        argv = [PYTHON, str(script)]
    p = _run(argv, workdir, env)
    if p is None:
        pytest.fail(f"{block} ran past {BLOCK_TIMEOUT_S} s (killed); run as:\n{script.read_text()}")
    assert p.returncode == 0, (
        f"{block} failed (exit {p.returncode}); run as:\n{script.read_text()}\n"
        f"stdout:\n{p.stdout[-3000:]}\nstderr:\n{p.stderr[-6000:]}\n"
        "fix the README block, or list it (or the command) in this test with the reason")
    missing = [f for f in OUTPUTS.get(block.id, []) if not (workdir / f).is_file()
               or (workdir / f).stat().st_size == 0]
    assert not missing, f"{block} did not write {missing}; the directory holds {sorted(os.listdir(workdir))}"
    if block.id in CHECKS:
        CHECKS[block.id](workdir)
