"""`--backend webgpu` on Mesa's software Vulkan device (scripts/setup-lavapipe.sh puts it under
.deps/lavapipe for the tests only): output equal to the CPU's, the device and node placement
under -v, `mlrt version` and `mlrt bench`, and one clear message with no output for each fault."""
import json
import os

import pytest

from helpers import REPO, lavfi_image, mlrt, psnr, raw_frames

ICD = os.environ.get("MLRT_TEST_VK_ICD") or str(REPO / ".deps" / "lavapipe" / "lvp_icd.json")
SHARED = REPO.parent / "shared" / "models"

pytestmark = pytest.mark.skipif(not os.path.exists(ICD),
                                reason=f"no software Vulkan device at {ICD} (scripts/setup-lavapipe.sh)")


def env(allow_software=True, icd=ICD):
    e = dict(os.environ, VK_ICD_FILENAMES=icd)
    e.pop("MLRT_WEBGPU_ALLOW_SOFTWARE", None)
    if allow_software:
        e["MLRT_WEBGPU_ALLOW_SOFTWARE"] = "1"
    return e


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    path = tmp_path_factory.mktemp("webgpu") / "in.png"
    lavfi_image(path, size="48x32")
    return path


def shared_models():
    found = [SHARED / n for n in ("realesr-animevideov3-x2.onnx", "realesr-animevideov3-x4.onnx")]
    return [p for p in found if p.exists()]


@pytest.mark.parametrize("fp16", [False, True], ids=["fp32", "fp16"])
def test_shared_models_match_the_cpu(tmp_path, image, fp16):
    models = shared_models()
    if not models:
        pytest.skip(f"no shared models in {SHARED}")
    for model in models:
        cpu, gpu = tmp_path / f"{model.stem}-cpu.png", tmp_path / f"{model.stem}-gpu.png"
        mlrt("run", model, image, cpu, "--backend", "cpu", "-q")
        flags = ["--fp16"] if fp16 else []
        mlrt("run", model, image, gpu, "--backend", "webgpu", *flags, "-q", env=env())
        a, b = raw_frames(cpu, "rgb24"), raw_frames(gpu, "rgb24")
        assert a.shape == b.shape
        diff = abs(a.astype(int) - b.astype(int)).max()
        if fp16:
            assert psnr(a, b) >= 45, f"{model.name}: {psnr(a, b):.1f} dB"
        else:
            assert diff <= 1, f"{model.name}: max difference {diff}"


def test_tiled_streams_equal_the_cpu_and_verbose_names_the_device(tmp_path, image, models):
    cpu, gpu = tmp_path / "cpu.png", tmp_path / "gpu.png"
    mlrt("run", models["upscale2x"], image, cpu, "--backend", "cpu", "-q")
    p = mlrt("run", models["upscale2x"], image, gpu, "--backend", "webgpu", "--tilesize", "24",
             "--overlap", "4", "--streams", "2", "-v", env=env())
    assert abs(raw_frames(cpu, "rgb24").astype(int) - raw_frames(gpu, "rgb24").astype(int)).max() <= 1
    assert "mlrt: device WebGPU: llvmpipe" in p.stderr, p.stderr
    assert "nodes on WebGpuExecutionProvider" in p.stderr, p.stderr


def test_version_lists_the_adapter():
    p = mlrt("version", env=env(allow_software=False))
    assert "llvmpipe" in p.stdout and "software rasterizer" in p.stdout, p.stdout
    j = json.loads(mlrt("version", "--json", env=env()).stdout)
    [adapter] = j["webgpu"]["adapters"]
    assert adapter["software"] is True and adapter["backend"] == "Vulkan"
    assert "WEBGPU" in j["providers_loadable"]


def test_bench_on_webgpu(models):
    j = json.loads(mlrt("bench", models["upscale2x"], "--size", "32x24", "--backend", "webgpu",
                        "--repeats", "2", "--json", env=env()).stdout)
    assert j["provider"] == "WEBGPU" and j["device"].startswith("WebGPU: llvmpipe")
    assert j["engine"]["fps"] > 0 and j["plain_ort"]["fps"] > 0


@pytest.mark.parametrize("case", ["no driver", "software refused", "device out of range"])
def test_faults_fail_with_one_message_and_no_output(tmp_path, image, models, case):
    out = tmp_path / "out.png"
    args = ["run", models["upscale2x"], image, out, "--backend", "webgpu"]
    if case == "no driver":
        p = mlrt(*args, check=False, env=env(icd=str(tmp_path / "missing_icd.json")))
        want = ["the Vulkan loader finds no driver", "mesa-vulkan-drivers"]
    elif case == "software refused":
        p = mlrt(*args, check=False, env=env(allow_software=False))
        want = ["is a software rasterizer", "MLRT_WEBGPU_ALLOW_SOFTWARE=1"]
    else:
        p = mlrt(*args, "--device", "3", check=False, env=env())
        want = ["device_id 3 is out of range", "0: llvmpipe"]
    assert p.returncode == 1, p.stderr
    errors = [line for line in p.stderr.splitlines() if line.startswith("mlrt: error:")]
    assert len(errors) == 1, p.stderr
    for w in want:
        assert w in errors[0], p.stderr
    assert not out.exists() and not list(tmp_path.glob(".*out*"))


def test_cuda_failure_names_the_build_it_needs(tmp_path, image, models):
    p = mlrt("run", models["upscale2x"], image, tmp_path / "o.png", "--backend", "cuda", check=False)
    if p.returncode == 0:
        pytest.skip("CUDA loads here")
    assert "onnxruntime-gpu" in p.stderr and "cuDNN 9" in p.stderr, p.stderr
    assert "onnxruntime_src" not in p.stderr, p.stderr
