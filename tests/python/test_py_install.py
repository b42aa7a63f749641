"""`cmake --install` gives a package that imports and runs from the prefix alone: the extension
finds the installed libmlrt (INSTALL_RPATH), and knows the installed plugin."""
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import BUILD, PLUGIN


def test_installed_package_runs_from_the_prefix(tmp_path, make_model):
    cmake = shutil.which("cmake")
    if not cmake:
        pytest.skip("cmake is not on PATH")
    prefix = tmp_path / "prefix"
    done = subprocess.run([cmake, "--install", str(BUILD), "--prefix", str(prefix)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    inits = list(prefix.glob("lib/**/mlrt/__init__.py"))
    assert len(inits) == 1, inits
    site = inits[0].parent.parent
    assert site.relative_to(prefix).as_posix() in ("lib/python3/dist-packages",
                                                   f"lib/python{sys.version_info[0]}."
                                                   f"{sys.version_info[1]}/site-packages")
    model = make_model("identity", 3)
    script = textwrap.dedent(f"""
        import numpy as np, mlrt, mlrt._vapoursynth as v
        x = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5)
        assert (mlrt.ORT_CPU(fp16=False).inference(x, {str(model)!r}) == x).all()
        libs = {{line.split()[-1] for line in open("/proc/self/maps") if "libmlrt.so" in line}}
        print(mlrt.__file__)
        print(*libs)
        print(v.plugin_path())
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    env.pop("MLRT_VAPOURSYNTH_PLUGIN", None)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                         cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    module, lib, plugin = run.stdout.splitlines()
    assert pathlib.Path(module).is_relative_to(prefix)
    assert pathlib.Path(lib).is_relative_to(prefix), lib  # not the build tree's libmlrt
    if PLUGIN.exists():
        assert pathlib.Path(plugin).is_relative_to(prefix) and pathlib.Path(plugin).is_file()
    else:
        assert plugin == "None"


def test_installed_prefix_needs_nothing_of_the_source_tree(tmp_path, make_model):
    """bin/mlrt, libmlrt and the extension find libmlrt and ONNX Runtime inside the prefix: the
    fetched ONNX Runtime is installed beside libmlrt, and no RUNPATH names the clone."""
    cmake, readelf, ldd = shutil.which("cmake"), shutil.which("readelf"), shutil.which("ldd")
    if not (cmake and readelf and ldd):
        pytest.skip("cmake, readelf or ldd is not on PATH")
    root = pathlib.Path(__file__).resolve().parents[2]
    if (root / ".deps" / "ort-system").exists():
        pytest.skip("built against the system's ONNX Runtime, which stays where it is")
    prefix = tmp_path / "prefix"
    done = subprocess.run([cmake, "--install", str(BUILD), "--prefix", str(prefix)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (prefix / "lib" / "libonnxruntime.so.1").is_file()
    binaries = [prefix / "bin" / "mlrt", *prefix.glob("lib/libmlrt.so.*.*"),
                *prefix.glob("lib/**/mlrt/_mlrt*.so")]
    assert len(binaries) == 3, binaries
    for b in binaries:
        dynamic = subprocess.run([readelf, "-d", str(b)], capture_output=True, text=True).stdout
        runpath = [line for line in dynamic.splitlines() if "RUNPATH" in line or "RPATH" in line]
        assert runpath and all(str(root) not in line for line in runpath), (b, runpath)
        resolved = subprocess.run([ldd, str(b)], capture_output=True, text=True).stdout
        for lib in ("libmlrt.so", "libonnxruntime.so.1"):
            lines = [line for line in resolved.splitlines() if lib in line and "=>" in line]
            if b.name.startswith("libmlrt") and lib == "libmlrt.so":
                continue
            assert lines and all(str(prefix) in line for line in lines), (b, lib, resolved)
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "PYTHONPATH")}
    model = make_model("conv", 3, 3, 1, 2)
    image = tmp_path / "in.pgm"
    image.write_bytes(b"P5 8 6 255\n" + bytes(range(48)))
    run = subprocess.run([str(prefix / "bin" / "mlrt"), "run", "-q", "--backend", "cpu",
                          str(model), str(image), str(tmp_path / "out.png")],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out.png").stat().st_size > 0
