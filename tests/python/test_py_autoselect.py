"""autoselect through the C++ configuration layer, over injected GPU lists, loadable providers
and platforms: the vendor table, device_id passed on, kwargs, and bad device ids."""
import pytest

from conftest import mlrt

ALL = {"CPU", "CUDA", "DML", "COREML"}


@pytest.mark.parametrize("gpus, loadable, platform, expected", [
    ([], ALL, "Linux", "ORT_CPU"),
    ([], ALL, "Windows", "ORT_CPU"),
    (["NVIDIA"], ALL, "Linux", "ORT_CUDA"),
    (["NVIDIA"], ALL, "Windows", "ORT_CUDA"),
    (["NVIDIA"], {"CPU"}, "Linux", "ORT_CPU"),
    (["NVIDIA"], {"CPU", "DML"}, "Linux", "ORT_CPU"),
    (["NVIDIA"], {"CPU", "DML"}, "Windows", "ORT_DML"),
    ([("AMD", 0x1002)], ALL, "Linux", "ORT_CPU"),
    ([("AMD", 0x1002)], ALL, "Windows", "ORT_DML"),
    (["amd"], {"CPU"}, "Windows", "ORT_CPU"),
    ([("Intel", 0x8086)], ALL, "Linux", "ORT_CPU"),
    (["Intel"], ALL, "Windows", "ORT_DML"),
    (["Intel"], {"CPU", "CUDA"}, "Windows", "ORT_CPU"),
    (["Apple"], ALL, "MacOS", "ORT_COREML"),
    (["Apple"], {"CPU"}, "MacOS", "ORT_CPU"),
])
def test_vendor_table(gpus, loadable, platform, expected):
    b = mlrt.autoselect(_gpus=gpus, _loadable=loadable, _platform=platform)
    assert type(b) is getattr(mlrt, expected)
    assert b == getattr(mlrt, expected)()


def test_backend_classmethod_is_the_same_autoselect():
    args = dict(_gpus=["NVIDIA"], _loadable=ALL, _platform="Linux")
    assert mlrt.Backend.autoselect(**args) == mlrt.ORT_CUDA()
    assert mlrt.ORT_CPU.autoselect(**args) == mlrt.ORT_CUDA()  # a classmethod of every backend


def test_device_id_is_passed_to_cuda_as_its_ordinal_and_to_dml_as_given():
    gpus = ["Intel", "NVIDIA", "NVIDIA", "AMD"]
    linux = dict(_gpus=gpus, _loadable=ALL, _platform="Linux")
    assert mlrt.autoselect(0, **linux) == mlrt.ORT_CPU()  # the Intel iGPU
    assert mlrt.autoselect(1, **linux) == mlrt.ORT_CUDA(device_id=0)
    assert mlrt.autoselect(2, **linux) == mlrt.ORT_CUDA(device_id=1)
    windows = dict(_gpus=gpus, _loadable={"CPU", "DML"}, _platform="Windows")
    assert mlrt.autoselect(device_id=3, **windows) == mlrt.ORT_DML(device_id=3)
    assert mlrt.autoselect(2, **windows) == mlrt.ORT_DML(device_id=2)


def test_kwargs_go_to_the_chosen_backend():
    b = mlrt.autoselect(0, fp16=False, tf32=True, num_streams=2, verbosity=1,
                        _gpus=["NVIDIA"], _loadable=ALL, _platform="Linux")
    assert b == mlrt.ORT_CUDA(fp16=False, tf32=True, num_streams=2, verbosity=1)
    # The same kwargs where CUDA does not load: tf32 is no ORT_CPU field.
    with pytest.raises(ValueError, match=r"ORT_CPU: argument 'tf32' is not known"):
        mlrt.autoselect(0, tf32=True, _gpus=["NVIDIA"], _loadable={"CPU"}, _platform="Linux")
    with pytest.raises(ValueError, match=r"num_streams' must be >= 1"):
        mlrt.autoselect(0, num_streams=0, _gpus=["NVIDIA"], _loadable=ALL, _platform="Linux")


def test_negative_device_id_names_the_gpus_found():
    with pytest.raises(ValueError) as info:
        mlrt.autoselect(-1, _gpus=["NVIDIA", "AMD"], _loadable=ALL, _platform="Linux")
    assert str(info.value) == ("autoselect: argument 'device_id' must be >= 0, got -1 "
                               "(GPUs found: 0: NVIDIA (injected:0), 1: AMD (injected:1))")
    with pytest.raises(ValueError, match=r"got -2 \(no GPUs found\)$"):
        mlrt.autoselect(-2, _gpus=[], _loadable=ALL)


def test_device_id_beyond_the_gpus_is_cpu_as_in_cpp():
    # The configuration layer's rule (tests/config: OutOfRangeDeviceIsCpu): no GPU there.
    b = mlrt.autoselect(5, num_streams=2, _gpus=["NVIDIA"], _loadable=ALL, _platform="Linux")
    assert b == mlrt.ORT_CPU(num_streams=2)


@pytest.mark.parametrize("device_id, message", [
    ("0", "autoselect: argument 'device_id' must be an integer, got str '0'"),
    (1.5, "autoselect: argument 'device_id' must be an integer, got float 1.5"),
    (2**40, "autoselect: argument 'device_id' must be <= 2147483647"),
])
def test_device_id_of_the_wrong_type_is_a_value_error(device_id, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        mlrt.autoselect(device_id, _gpus=[], _loadable=ALL)


def test_bad_injections_are_value_errors():
    with pytest.raises(ValueError, match="'_gpus' vendors must be NVIDIA, AMD, Intel or Apple"):
        mlrt.autoselect(_gpus=["Matrox"])
    with pytest.raises(ValueError, match="'_platform' must be Linux, Windows"):
        mlrt.autoselect(_gpus=[], _platform="BeOS")
    with pytest.raises(ValueError, match="provider"):
        mlrt.autoselect(_gpus=[], _loadable={"TPU"})


def test_this_machine():
    # No injection: this machine's GPUs and providers; the answer is one of the four backends,
    # consistent with what the library reports loads here.
    b = mlrt.autoselect()
    assert type(b) in (mlrt.ORT_CPU, mlrt.ORT_CUDA, mlrt.ORT_DML, mlrt.ORT_COREML)
    assert b.provider in mlrt.loadable_providers(getattr(b, "device_id", 0))
    gpus = mlrt.detect_gpus()
    assert [g["index"] for g in gpus] == sorted(g["index"] for g in gpus)
    if not gpus:
        assert type(b) is mlrt.ORT_CPU
