"""Backend.ORT_WEBGPU: the dataclass and its get_args, autoselect's WebGPU rows over injected
adapters, and inference() on Mesa's software Vulkan device (scripts/setup-lavapipe.sh) against
the CPU."""
import os

import numpy as np
import pytest

from conftest import ROOT, mlrt

ICD = os.environ.get("MLRT_TEST_VK_ICD") or str(ROOT / ".deps" / "lavapipe" / "lvp_icd.json")


def test_dataclass_and_get_args():
    b = mlrt.Backend.ORT_WEBGPU(device_id=1, fp16=False, num_streams=2)
    assert b is not None and mlrt.ORT_WEBGPU is mlrt.Backend.ORT_WEBGPU
    args = b.get_args()
    assert args["provider"] == "WEBGPU" and args["device_id"] == 1 and args["num_streams"] == 2
    assert args["fp16"] is False
    with pytest.raises(TypeError):
        mlrt.ORT_WEBGPU(1)  # keyword-only, as the reference's classes
    with pytest.raises(ValueError, match="device_id"):
        mlrt.ORT_WEBGPU(device_id=-1)


NVIDIA_ADAPTER = (0x10DE, 0, False)  # the injected NVIDIA GPU (injected GPUs have device id 0)
SOFTWARE = (0x10005, 0, True)


@pytest.mark.parametrize("gpus, loadable, webgpu, expected", [
    (["NVIDIA"], {"CPU", "CUDA", "WEBGPU"}, [NVIDIA_ADAPTER], "ORT_CUDA"),
    (["NVIDIA"], {"CPU", "WEBGPU"}, [NVIDIA_ADAPTER], "ORT_WEBGPU"),
    (["NVIDIA"], {"CPU"}, [NVIDIA_ADAPTER], "ORT_CPU"),
    ([], {"CPU", "WEBGPU"}, [SOFTWARE], "ORT_CPU"),
    ([], {"CPU", "WEBGPU"}, [], "ORT_CPU"),
])
def test_autoselect_takes_webgpu_after_the_vendors_own_provider(gpus, loadable, webgpu, expected):
    b = mlrt.autoselect(_gpus=gpus, _loadable=loadable, _platform="Linux", _webgpu=webgpu)
    assert type(b) is getattr(mlrt, expected), b


def test_webgpu_adapters_is_a_listing():
    listing = mlrt.webgpu_adapters()
    assert set(listing) == {"adapters", "problem"}
    assert listing["adapters"] or listing["problem"]


@pytest.mark.skipif(not os.path.exists(ICD), reason=f"no software Vulkan device at {ICD} "
                    "(scripts/setup-lavapipe.sh)")
def test_inference_equals_the_cpu(make_model, frames, monkeypatch):
    monkeypatch.setenv("VK_ICD_FILENAMES", ICD)
    monkeypatch.setenv("MLRT_WEBGPU_ALLOW_SOFTWARE", "1")
    model = make_model("conv", 3, 3, 2, 2)
    x = frames(3, 24, 40, seed=3)
    want = mlrt.ORT_CPU(fp16=False).inference(x, model)
    got = mlrt.Backend.ORT_WEBGPU(fp16=False).inference(x, model, tilesize=(20, 12), overlap=(4, 4))
    assert got.shape == want.shape == (3, 48, 80)
    assert np.abs(got - want).max() < 1e-4
    half = mlrt.Backend.ORT_WEBGPU().inference(x, model)  # fp16 by default, as the reference
    assert half.dtype == np.float16
    assert np.abs(half.astype(np.float32) - want).max() < 1e-2
    monkeypatch.delenv("MLRT_WEBGPU_ALLOW_SOFTWARE")
    with pytest.raises(RuntimeError, match="software rasterizer"):
        mlrt.Backend.ORT_WEBGPU(fp16=False).inference(x, model)
