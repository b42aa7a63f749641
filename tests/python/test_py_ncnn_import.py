"""mlrt.import_ncnn, layer by layer: small ncnn networks written here, imported, run through a
real ONNX Runtime session (mlrt.ORT_CPU), and compared with NumPy references of ncnn's own
semantics (ncnn_reference.py); the programs' framing (border, rounding, added input) on odd
sizes; and every refusal, by its message."""
import numpy as np
import pytest

from conftest import mlrt
from ncnn_reference import (NcnnNet, activation, channel, convolution, deconvolution, interp,
                            pixel_shuffle, pooling)

RNG = np.random.default_rng(7)
H, W = 12, 16  # multiples of 4, so the engine runs the frame as it is


def rand(*shape, scale=0.5):
    return RNG.normal(0, scale, shape)


def run(tmp_path, net, x, program="none", scale=1, **framing):
    param, binary = net.write(tmp_path)
    model = tmp_path / "net.onnx"
    mlrt.import_ncnn(param, binary, model, program=program, scale=scale, overwrite=True, **framing)
    out = mlrt.ORT_CPU(fp16=False).inference(x.astype(np.float32), str(model))
    return np.asarray(out, np.float64)


def check(tmp_path, net, expected, x=None, **kw):
    x = X if x is None else x
    got = run(tmp_path, net, x, **kw)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=2e-4, rtol=1e-4)


X = RNG.uniform(0, 1, (3, H, W))


def conv_net(storage="float32", act=0, act_params=(), p=None):
    """Input -> Convolution 3->3 with the given params."""
    p = p or {}
    k = p.get(1, 3)
    w = rand(3, 3 // p.get(7, 1), k, k)
    b = rand(3)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    params = {0: 3, 1: k, 5: 1, 6: w.size, 9: act, **p}
    if act_params:
        params[10] = list(act_params)
    net.layer("ConvolutionDepthWise" if 7 in p else "Convolution", "conv", ["data"], ["out"], params)
    net.tagged(w, storage)
    net.raw(b)
    return net, w, b


@pytest.mark.parametrize("storage", ["float32", "float16", "table"])
def test_convolution_weights_in_each_storage(tmp_path, storage):
    net, w, b = conv_net(storage, p={4: 1})
    if storage == "float16":
        w = w.astype(np.float16).astype(np.float64)
    check(tmp_path, net, convolution(X, w, b, pads=(1, 1, 1, 1)))


@pytest.mark.parametrize("act,params", [(1, ()), (2, (0.1,)), (3, (-0.2, 0.3)), (4, ()), (5, ()),
                                        (6, (0.2, 0.5))])
def test_convolution_fused_activations(tmp_path, act, params):
    net, w, b = conv_net(act=act, act_params=params, p={4: 1})
    check(tmp_path, net, activation(convolution(X, w, b, pads=(1, 1, 1, 1)), act, params))


def test_convolution_asymmetric_padding_dilation_and_group(tmp_path):
    net, w, b = conv_net(p={4: 1, 14: 0, 15: 3, 16: 2, 2: 2, 12: 1})
    check(tmp_path, net, convolution(X, w, b, dilation=(1, 2), pads=(0, 1, 2, 3)))
    net, w, b = conv_net(p={4: 1, 7: 3})
    check(tmp_path, net, convolution(X, w, b, pads=(1, 1, 1, 1), group=3))


def test_strided_convolution_then_deconvolution(tmp_path):
    w1, b1 = rand(4, 3, 2, 2), rand(4)
    w2, b2 = rand(3, 4, 4, 4), rand(3)  # ncnn's deconvolution layout: (out, in, kh, kw)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "down", ["data"], ["d"], {0: 4, 1: 2, 3: 2, 5: 1, 6: w1.size, 9: 2, 10: [0.1]})
    net.tagged(w1)
    net.raw(b1)
    net.layer("Deconvolution", "up", ["d"], ["out"], {0: 3, 1: 4, 3: 2, 4: 1, 5: 1, 6: w2.size})
    net.tagged(w2)
    net.raw(b2)
    d = activation(convolution(X, w1, b1, stride=(2, 2)), 2, (0.1,))
    check(tmp_path, net, deconvolution(d, w2, b2, stride=(2, 2), pads=(1, 1, 1, 1)))


def test_deconvolution_output_padding_and_pixel_shuffle(tmp_path):
    w1, b1 = rand(12, 3, 3, 3), rand(12)
    w2 = rand(3, 3, 2, 2)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "expand", ["data"], ["e"], {0: 12, 1: 3, 4: 1, 5: 1, 6: w1.size})
    net.tagged(w1)
    net.raw(b1)
    net.layer("PixelShuffle", "shuffle", ["e"], ["s"], {0: 2})
    net.layer("Convolution", "down", ["s"], ["d"], {0: 3, 1: 2, 3: 2, 5: 0, 6: w2.size})
    net.tagged(w2)
    w3 = rand(3, 3, 3, 3)
    net.layer("Deconvolution", "up", ["d"], ["u"], {0: 3, 1: 3, 3: 2, 4: 1, 18: 1, 5: 0, 6: w3.size})
    net.tagged(w3)
    net.layer("Interp", "half", ["u"], ["out"], {0: 2, 1: 0.5, 2: 0.5})
    s = pixel_shuffle(convolution(X, w1, b1, pads=(1, 1, 1, 1)), 2)
    d = convolution(s, w2, None, stride=(2, 2))
    u = deconvolution(d, w3, None, stride=(2, 2), pads=(1, 1, 1, 1), output_pad=(1, 1))
    check(tmp_path, net, interp(u, 2, 0.5, 0.5))


@pytest.mark.parametrize("mode", [0, 1])
def test_pixel_shuffle_modes(tmp_path, mode):
    w = rand(12, 3, 1, 1)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "expand", ["data"], ["e"], {0: 12, 1: 1, 6: w.size})
    net.tagged(w)
    net.layer("PixelShuffle", "shuffle", ["e"], ["s"], {0: 2, 1: mode})
    net.layer("Interp", "back", ["s"], ["out"], {0: 1, 1: 0.5, 2: 0.5})
    s = pixel_shuffle(convolution(X, w, None), 2, mode)
    check(tmp_path, net, interp(s, 1, 0.5, 0.5))


@pytest.mark.parametrize("kind,hs,ws", [(1, 2.0, 3.0), (2, 2.0, 2.0), (3, 2.0, 2.0), (3, 0.5, 0.5),
                                        (2, 0.75, 1.5), (3, 1.25, 0.75)])
def test_interp_modes_and_scales(tmp_path, kind, hs, ws):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Interp", "resize", ["data"], ["r"], {0: kind, 1: hs, 2: ws})
    net.layer("Interp", "back", ["r"], ["out"], {0: 1, 3: H * 2, 4: W * 2})
    check(tmp_path, net, interp(interp(X, kind, hs, ws), 1, out_h=H * 2, out_w=W * 2), scale=1)


def test_interp_to_a_size_with_aligned_corners(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Interp", "resize", ["data"], ["out"], {0: 2, 3: 2 * H, 4: 2 * W, 6: 1})
    check(tmp_path, net, interp(X, 2, out_h=2 * H, out_w=2 * W, align=True))


def test_squeeze_excitation_block(tmp_path):
    """Global average pooling, InnerProduct with ReLU and sigmoid, the vector broadcast per
    channel by BinaryOp mul, Scale by a second input and Eltwise: what CUGAN and cunet use."""
    w1, b1, w2, b2 = rand(2, 3), rand(2), rand(3, 2), rand(3)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Split", "split", ["data"], ["a", "b", "c"])
    net.layer("Pooling", "gap", ["a"], ["g"], {0: 1, 4: 1})
    net.layer("InnerProduct", "fc1", ["g"], ["f1"], {0: 2, 1: 1, 2: 6, 9: 1})
    net.tagged(w1)
    net.raw(b1)
    net.layer("InnerProduct", "fc2", ["f1"], ["f2"], {0: 3, 1: 1, 2: 6, 9: 4})
    net.tagged(w2)
    net.raw(b2)
    net.layer("Split", "split2", ["f2"], ["s1", "s2"])
    net.layer("BinaryOp", "mul", ["b", "s1"], ["m"], {0: 2})
    net.layer("Scale", "scale", ["c", "s2"], ["sc"], {0: -233})
    net.layer("Eltwise", "sum", ["m", "sc"], ["out"], {0: 1, 1: [0.5, -2.0]})
    g = X.mean(axis=(1, 2))
    f = activation(w2 @ np.maximum(w1 @ g + b1, 0) + b2, 4)
    check(tmp_path, net, 0.5 * X * channel(f) - 2.0 * X * channel(f))


@pytest.mark.parametrize("op", range(10))
def test_binary_op(tmp_path, op):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Split", "split", ["data"], ["a", "b"])
    net.layer("BinaryOp", "shift", ["b"], ["b1"], {0: 0, 1: 1, 2: 1.5})  # keeps pow and div sane
    net.layer("BinaryOp", "op", ["a", "b1"], ["out"], {0: op})
    a, b = X, X + 1.5
    expected = [a + b, a - b, a * b, a / b, np.maximum(a, b), np.minimum(a, b), a ** b,
                b - a, b / a.clip(1e-3), b ** a][op]
    if op == 8:  # b / a with a near 0 is not a fair comparison: keep a away from 0
        x = X + 0.5
        expected = (x + 1.5) / x
        check(tmp_path, net, expected, x=x)
        return
    check(tmp_path, net, expected)


def test_prelu_batchnorm_scale_and_memory_data(tmp_path):
    slope, mean, var, gamma, beta = rand(3), rand(3), RNG.uniform(0.5, 2, 3), rand(3), rand(3)
    scale, bias, const = rand(3), rand(3), rand(3)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("BinaryOp", "centre", ["data"], ["c"], {0: 1, 1: 1, 2: 0.5})
    net.layer("PReLU", "prelu", ["c"], ["p"], {0: 3})
    net.raw(slope)
    net.layer("BatchNorm", "bn", ["p"], ["n"], {0: 3, 1: 1e-5})
    for v in (gamma, mean, var, beta):
        net.raw(v)
    net.layer("Scale", "scale", ["n"], ["s"], {0: 3, 1: 1})
    net.raw(scale)
    net.raw(bias)
    net.layer("MemoryData", "const", [], ["k"], {0: 3})
    net.raw(const)
    net.layer("BinaryOp", "add", ["s", "k"], ["out"], {0: 0})
    c = X - 0.5
    p = np.where(c > 0, c, c * channel(slope))
    n = (p - channel(mean)) / np.sqrt(channel(var) + 1e-5) * channel(gamma) + channel(beta)
    check(tmp_path, net, n * channel(scale) + channel(bias) + channel(const))


def test_standalone_activations(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("BinaryOp", "centre", ["data"], ["c"], {0: 1, 1: 1, 2: 0.5})
    net.layer("Split", "split", ["c"], ["a", "b", "d", "e", "f", "g"])
    net.layer("ReLU", "leaky", ["a"], ["ra"], {0: 0.2})
    net.layer("Sigmoid", "sig", ["b"], ["rb"])
    net.layer("TanH", "tanh", ["d"], ["rd"])
    net.layer("Clip", "clip", ["e"], ["re"], {0: -0.1, 1: 0.2})
    net.layer("HardSwish", "hswish", ["f"], ["rf"], {0: 0.2, 1: 0.5})
    net.layer("ELU", "elu", ["g"], ["rg"], {0: 0.7})
    net.layer("Eltwise", "sum", ["ra", "rb", "rd", "re", "rf", "rg"], ["out"], {0: 1})
    c = X - 0.5
    expected = (np.where(c > 0, c, 0.2 * c) + 1 / (1 + np.exp(-c)) + np.tanh(c) + np.clip(c, -0.1, 0.2)
                + c * np.clip(0.2 * c + 0.5, 0, 1) + np.where(c > 0, c, 0.7 * (np.exp(c) - 1)))
    check(tmp_path, net, expected)


def test_concat_slice_crop_and_padding(tmp_path):
    w = rand(2, 3, 1, 1)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Split", "split", ["data"], ["a", "b", "r"])
    net.layer("Convolution", "two", ["a"], ["t"], {0: 2, 1: 1, 6: w.size})
    net.tagged(w)
    net.layer("Concat", "cat", ["b", "t"], ["c5"], {0: 0})                  # 5 channels
    net.layer("Slice", "slice", ["c5"], ["s3", "s2"], {0: [3, -233], 1: 0})  # 3 + the rest
    net.layer("Crop", "crop", ["s3"], ["cr"], {9: [2, 1], 10: [-2, -233], 11: [-2, -1]})
    net.layer("Padding", "pad", ["cr"], ["pd"], {0: 3, 1: 3, 2: 1, 3: 1, 4: 2})
    net.layer("Crop", "ref", ["pd", "r"], ["cref"], {0: 1, 1: 2})  # to the reference's size
    net.layer("Reduction", "sum2", ["s2"], ["red"], {0: 0, 1: 0, 3: [0], 4: 1})  # over channels
    net.layer("BinaryOp", "add", ["cref", "red"], ["out"], {0: 0})
    t = convolution(X, w, None)
    c5 = np.concatenate([X, t])
    cr = c5[:3, 2:H - 2, 1:]
    pd = np.pad(cr, ((0, 0), (3, 3), (1, 1)), mode="reflect")
    cref = pd[:, 2:2 + H, 1:1 + W]
    check(tmp_path, net, cref + c5[3:].sum(axis=0, keepdims=True))


def test_pooling_max_and_average(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Split", "split", ["data"], ["a", "b"])
    net.layer("Pooling", "max", ["a"], ["m"], {0: 0, 1: 3, 2: 1, 3: 1, 5: 1})
    net.layer("Pooling", "avg", ["b"], ["v"], {0: 1, 1: 2, 2: 2, 5: 1})
    net.layer("Interp", "up", ["v"], ["u"], {0: 1, 1: 2.0, 2: 2.0})
    net.layer("Eltwise", "max", ["m", "u"], ["out"], {0: 2})
    m = pooling(X, 0, (3, 3), (1, 1), (1, 1, 1, 1))
    u = interp(pooling(X, 1, (2, 2), (2, 2)), 1, 2.0, 2.0)
    check(tmp_path, net, np.maximum(m, u))


def test_softmax_reduction_mean_and_flatten_free_vectors(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Split", "split", ["data"], ["a", "b"])
    net.layer("Softmax", "softmax", ["a"], ["s"], {0: 0, 1: 1})
    net.layer("Reduction", "mean", ["b"], ["m"], {0: 3, 1: 0, 3: [1, 2], 4: 0, 2: 2.0})  # a vector
    net.layer("BinaryOp", "mul", ["s", "m"], ["out"], {0: 2})
    e = np.exp(X - X.max(axis=0))
    s = e / e.sum(axis=0)
    check(tmp_path, net, s * channel(2.0 * X.mean(axis=(1, 2))))


# --- the programs' framing --------------------------------------------------------------------

def unet_net():
    """A CUGAN-like network: a stride-2 convolution and a deconvolution (sizes must be even), a
    valid 3x3 convolution that eats a border, a crop of the skip connection to match, the SE
    vector, and an upscaling deconvolution: output = 2 x input - 8 (the net crops itself)."""
    w1, w2, w3, w4 = rand(4, 3, 3, 3), rand(4, 4, 2, 2), rand(4, 4, 2, 2), rand(3, 4, 4, 4)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "c1", ["data"], ["c1"], {0: 4, 1: 3, 6: w1.size, 9: 2, 10: [0.1]})
    net.tagged(w1)
    net.layer("Split", "sp", ["c1"], ["skip", "main", "se"])
    net.layer("Convolution", "down", ["main"], ["d"], {0: 4, 1: 2, 3: 2, 6: w2.size, 9: 1})
    net.tagged(w2)
    net.layer("Deconvolution", "up", ["d"], ["u"], {0: 4, 1: 2, 3: 2, 6: w3.size})
    net.tagged(w3)
    net.layer("Pooling", "gap", ["se"], ["g"], {0: 1, 4: 1})
    net.layer("BinaryOp", "gate", ["u", "g"], ["gu"], {0: 2})
    net.layer("Eltwise", "add", ["gu", "skip"], ["s"], {0: 1})
    net.layer("Deconvolution", "final", ["s"], ["f"], {0: 3, 1: 4, 3: 2, 4: 3, 6: w4.size})
    net.tagged(w4)
    net.layer("Crop", "trim", ["f"], ["out"], {9: [1, 1], 10: [-1, -1], 11: [-2, -1]})

    def reference(x):
        c1 = activation(convolution(x, w1, None), 2, (0.1,))
        u = deconvolution(np.maximum(convolution(c1, w2, None, stride=(2, 2)), 0), w3, None, stride=(2, 2))
        s = u * channel(c1.mean(axis=(1, 2))) + c1
        return deconvolution(s, w4, None, stride=(2, 2), pads=(3, 3, 3, 3))[:, 1:-1, 1:-1]
    return net, reference


@pytest.mark.parametrize("program,mode,border,multiple,add_input", [
    ("realcugan", "reflect", 18, 2, False),
    ("waifu2x-cunet", "edge", 18, 2, False),
])
@pytest.mark.parametrize("size", [(13, 11), (16, 12)])
def test_program_framing_on_odd_and_even_sizes(tmp_path, program, mode, border, multiple, add_input, size):
    net, reference = unet_net()
    w, h = size
    x = RNG.uniform(0, 1, (3, h, w))
    eh, ew = (-(h + 2 * border)) % multiple, (-(w + 2 * border)) % multiple
    padded = np.pad(x, ((0, 0), (border, border + eh), (border, border + ew)), mode=mode)
    y = reference(padded)
    # The network gives 2 x padded - 2b; the picture starts at 2·border - b.
    b = (2 * padded.shape[1] - y.shape[1]) // 2
    start = 2 * border - b
    expected = y[:, start:start + 2 * h, start:start + 2 * w]
    check(tmp_path, net, expected, x=x, program=program, scale=2)


def test_realcugan_4x_adds_the_input(tmp_path):
    w1 = rand(48, 3, 3, 3)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "c", ["data"], ["c"], {0: 48, 1: 3, 6: w1.size})
    net.tagged(w1)
    net.layer("PixelShuffle", "ps", ["c"], ["out"], {0: 4})
    x = RNG.uniform(0, 1, (3, 11, 13))
    padded = np.pad(x, ((0, 0), (19, 20), (19, 20)), mode="reflect")  # 11 + 38 -> even
    y = pixel_shuffle(convolution(padded, w1, None), 4)
    # The net gives 4 x (padded - 2): a border of 4·1 eaten on each side.
    start = 4 * 19 - 4
    expected = y[:, start:start + 44, start:start + 52] + x.repeat(4, 1).repeat(4, 2)
    check(tmp_path, net, expected, x=x, program="realcugan", scale=4)


def test_prepadding_and_multiple_overrides(tmp_path):
    net, w, b = conv_net()  # a valid 3x3 convolution: eats one pixel on each side
    x = RNG.uniform(0, 1, (3, 9, 7))
    padded = np.pad(x, ((0, 0), (1, 1 + 1), (1, 1 + 3)), mode="reflect")  # 11x9 -> 12x12
    expected = convolution(padded, w, b)[:, :9, :7]
    check(tmp_path, net, expected, x=x, program="realesrgan", scale=1, prepadding=1, multiple=4)


# --- refusals -----------------------------------------------------------------------------------

def imported(tmp_path, net, **kw):
    param, binary = net.write(tmp_path)
    return mlrt.import_ncnn(param, binary, **kw)


def refused(tmp_path, net, *fragments, **kw):
    with pytest.raises(ValueError) as e:
        imported(tmp_path, net, **kw)
    for f in fragments:
        assert f in str(e.value), str(e.value)
    return str(e.value)


def test_unknown_layer_names_file_line_layer_and_type(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"]).layer("Warp", "flow", ["data"], ["out"])
    refused(tmp_path, net, "net.param:4:", "layer 'flow' of type Warp", "cannot convert")


def test_int8_weights_are_refused(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "conv", ["data"], ["out"], {0: 3, 1: 1, 6: 9})
    net.tagged(np.zeros(9), "int8")
    refused(tmp_path, net, "stored as int8", "the weights of conv")
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "conv", ["data"], ["out"], {0: 3, 1: 1, 6: 9, 8: 1})
    refused(tmp_path, net, "layer 'conv' of type Convolution", "int8-quantized")


def test_weights_that_do_not_fit(tmp_path):
    net, _, _ = conv_net()
    net.bin = net.bin[:-8]
    refused(tmp_path, net, "net.bin", "while reading the bias of conv", "truncated")
    net, _, _ = conv_net()
    net.raw([1.0, 2.0])
    refused(tmp_path, net, "8 bytes are left", "does not belong")
    net, _, _ = conv_net(p={6: 80})  # weight_data_size that is not 3·in·3·3
    refused(tmp_path, net, "do not describe a convolution")


@pytest.mark.parametrize("text,fragment", [
    ("7767516\n1 1\nInput in 0 1 data\n", "magic 7767517"),
    ("7767517\n2 1\nInput in 0 1 data\n", "says 2 layers but the file has 1"),
    ("7767517\n1 1\nInput in 0 2 data\n", "names fewer blobs"),
    ("7767517\n1 1\nInput in 0 1 data 0=abc\n", "'abc' is not a number"),
    ("7767517\n1 1\nInput in 0 1 data -23310=3,1,2\n", "does not hold the count"),
    ("", "magic 7767517"),
])
def test_malformed_param_files(tmp_path, text, fragment):
    (tmp_path / "bad.param").write_text(text)
    (tmp_path / "bad.bin").write_bytes(b"")
    with pytest.raises(ValueError, match="bad.param") as e:
        mlrt.import_ncnn(tmp_path / "bad.param", tmp_path / "bad.bin")
    assert fragment in str(e.value)


def test_graph_shape_problems(tmp_path):
    net = NcnnNet().layer("Input", "in", [], ["data"]).layer("ReLU", "r", ["missing"], ["out"])
    refused(tmp_path, net, "input blob 'missing' is not produced")
    net = NcnnNet().layer("Input", "in", [], ["data"]).layer("Split", "s", ["data"], ["a", "b"])
    net.layer("ReLU", "r", ["a"], ["out"])
    refused(tmp_path, net, "2 unconsumed blobs", "one output")
    w = rand(2, 3, 1, 1)
    net = NcnnNet().layer("Input", "in", [], ["data"])
    net.layer("Convolution", "c", ["data"], ["out"], {0: 2, 1: 1, 6: w.size})
    net.tagged(w)
    refused(tmp_path, net, "output has 2 channels", "RGB")
    net = NcnnNet().layer("Input", "in", [], ["data"]).layer("Interp", "i", ["data"], ["out"], {0: 4})
    refused(tmp_path, net, "resize type 4")


def test_missing_files_and_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="cannot read the ncnn .param file '.*nope.param'"):
        mlrt.import_ncnn(tmp_path / "nope.param", tmp_path / "nope.bin")
    net, _, _ = conv_net()
    param, binary = net.write(tmp_path)
    with pytest.raises(ValueError, match="unknown ncnn program 'esrgan'.*realesrgan"):
        mlrt.import_ncnn(param, binary, program="esrgan")
    with pytest.raises(ValueError, match="realcugan has no 5x models"):
        mlrt.import_ncnn(param, binary, program="realcugan", scale=5)
    with pytest.raises(ValueError, match="scale must be an int"):
        mlrt.import_ncnn(param, binary, scale=2.0)
    with pytest.raises(ValueError, match="prepadding -1 is not 0..256"):
        mlrt.import_ncnn(param, binary, prepadding=-1)


def test_output_file_is_written_whole_and_not_overwritten(tmp_path):
    net, _, _ = conv_net()
    param, binary = net.write(tmp_path)
    out = tmp_path / "model.onnx"
    out.write_bytes(b"keep me")
    with pytest.raises(ValueError, match="already exists; pass overwrite=True"):
        mlrt.import_ncnn(param, binary, out)
    assert out.read_bytes() == b"keep me"
    data = mlrt.import_ncnn(param, binary, out, overwrite=True)
    assert out.read_bytes() == data and len(data) > 100
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (tmp_path / "bad.bin").write_bytes(b"\0\0")
    with pytest.raises(ValueError):
        mlrt.import_ncnn(param, tmp_path / "bad.bin", tmp_path / "new.onnx")
    assert not (tmp_path / "new.onnx").exists()
