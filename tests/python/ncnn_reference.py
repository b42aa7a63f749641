"""A small ncnn model writer (.param text + .bin) and NumPy references of ncnn's layer semantics,
written from ncnn's own CPU code (src/layer/*.cpp), for the importer's tests. Blobs are
(C, H, W) float64 arrays; 1-D blobs are (W,) arrays."""
import math
import struct

import numpy as np


class NcnnNet:
    """Layers appended in order; weights appended to the .bin in the order ncnn loads them."""

    def __init__(self):
        self.lines = []
        self.blobs = set()
        self.bin = bytearray()

    def layer(self, kind, name, inputs, outputs, params=None):
        fields = [kind, name, str(len(inputs)), str(len(outputs)), *inputs, *outputs]
        for key, value in (params or {}).items():
            if isinstance(value, (list, tuple)):
                items = ",".join(_number(v) for v in value)
                fields.append(f"{-23300 - key}={len(value)},{items}")
            else:
                fields.append(f"{key}={_number(value)}")
        self.lines.append(" ".join(fields))
        self.blobs.update(inputs)
        self.blobs.update(outputs)
        return self

    def tagged(self, values, storage="float32"):
        """A weight array with its storage tag (ncnn's load type 0)."""
        v = np.asarray(values, np.float32).ravel()
        if storage == "float16":
            self.bin += struct.pack("<I", 0x01306B47)
            data = v.astype("<f2").tobytes()
            self.bin += data + b"\0" * (-len(data) % 4)
        elif storage == "table":  # 256 floats and one byte index per value
            table = np.unique(v)
            assert len(table) <= 256
            self.bin += struct.pack("<I", 0x00000001)
            self.bin += np.pad(table, (0, 256 - len(table))).astype("<f4").tobytes()
            index = np.searchsorted(table, v).astype(np.uint8).tobytes()
            self.bin += index + b"\0" * (-len(index) % 4)
        elif storage == "int8":
            self.bin += struct.pack("<I", 0x000D4B38) + bytes(len(v) + (-len(v) % 4))
        else:
            self.bin += struct.pack("<I", 0) + v.astype("<f4").tobytes()

    def raw(self, values):
        self.bin += np.asarray(values, "<f4").ravel().tobytes()

    def param_text(self):
        return "7767517\n%d %d\n%s\n" % (len(self.lines), len(self.blobs), "\n".join(self.lines))

    def write(self, folder, name="net"):
        param, binary = folder / f"{name}.param", folder / f"{name}.bin"
        param.write_text(self.param_text())
        binary.write_bytes(bytes(self.bin))
        return param, binary


def _number(v):
    if isinstance(v, float) or isinstance(v, np.floating):
        return repr(float(v)) if "e" not in repr(float(v)) else "%.9e" % v
    return str(int(v))


# --- ncnn's semantics ------------------------------------------------------------------------

def activation(x, kind, params=()):
    if kind == 0:
        return x
    if kind == 1:
        return np.maximum(x, 0)
    if kind == 2:
        return np.where(x > 0, x, x * params[0])
    if kind == 3:
        return np.clip(x, params[0], params[1])
    if kind == 4:
        return 1 / (1 + np.exp(-x))
    if kind == 5:
        return x * np.tanh(np.log1p(np.exp(x)))
    if kind == 6:
        return x * np.clip(x * params[0] + params[1], 0, 1)
    raise ValueError(kind)


def convolution(x, w, b, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), group=1):
    """w: (out, in/group, kh, kw); pads: (top, left, bottom, right); ncnn pads with zeros."""
    out_c, in_g, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    sh, sw = stride
    dh, dw = dilation
    oh = (xp.shape[1] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[2] - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((out_c, oh, ow))
    og = out_c // group
    for g in range(group):
        xs = xp[g * in_g:(g + 1) * in_g]
        for ky in range(kh):
            for kx in range(kw):
                patch = xs[:, ky * dh:ky * dh + sh * (oh - 1) + 1:sh,
                           kx * dw:kx * dw + sw * (ow - 1) + 1:sw]
                y[g * og:(g + 1) * og] += np.einsum("oi,ihw->ohw", w[g * og:(g + 1) * og, :, ky, kx], patch)
    return y + (0 if b is None else np.asarray(b)[:, None, None])


def deconvolution(x, w, b, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), output_pad=(0, 0)):
    """w in ncnn's layout (out, in, kh, kw); ncnn scatters, adds the bias, pads the output by
    output_pad (bottom, right), then cuts pads (top, left, bottom, right)."""
    out_c, in_c, kh, kw = w.shape
    sh, sw = stride
    dh, dw = dilation
    h, wd = x.shape[1:]
    full_h = (h - 1) * sh + dh * (kh - 1) + 1 + output_pad[0]
    full_w = (wd - 1) * sw + dw * (kw - 1) + 1 + output_pad[1]
    y = np.zeros((out_c, full_h, full_w))
    for ky in range(kh):
        for kx in range(kw):
            y[:, ky * dh:ky * dh + sh * (h - 1) + 1:sh, kx * dw:kx * dw + sw * (wd - 1) + 1:sw] += \
                np.einsum("oi,ihw->ohw", w[:, :, ky, kx], x)
    if b is not None:
        y += np.asarray(b)[:, None, None]
    return y[:, pads[0]:full_h - pads[2], pads[1]:full_w - pads[3]]


def _linear_coeffs(size, out, align):
    scale = (size - 1) / (out - 1) if align else size / out
    ofs, alpha = [], []
    for d in range(out):
        f = d * scale if align else (d + 0.5) * scale - 0.5
        s = math.floor(f)
        f -= s
        if s < 0:
            s, f = 0, 0.0
        if s >= size - 1:
            s, f = size - 2, 1.0
        ofs.append(s)
        alpha.append((1 - f, f))
    return ofs, alpha


def _cubic_coeffs(size, out, align):
    scale = (size - 1) / (out - 1) if align else size / out
    A = -0.75
    ofs, alpha = [], []
    for d in range(out):
        f = d * scale if align else (d + 0.5) * scale - 0.5
        s = math.floor(f)
        f -= s
        c0 = ((A * (f + 1) - 5 * A) * (f + 1) + 8 * A) * (f + 1) - 4 * A
        c1 = ((A + 2) * f - (A + 3)) * f * f + 1
        c2 = ((A + 2) * (1 - f) - (A + 3)) * (1 - f) * (1 - f) + 1
        c = [c0, c1, c2, 1 - c0 - c1 - c2]
        if s <= -1:
            s, c = 1, [1 - c[3], c[3], 0, 0]
        if s == 0:
            s, c = 1, [c[0] + c[1], c[2], c[3], 0]
        if s == size - 2:
            s, c = size - 3, [0, c[0], c[1], c[2] + c[3]]
        if s >= size - 1:
            s, c = size - 3, [0, 0, c[0], 1 - c[0]]
        ofs.append(s - 1)
        alpha.append(c)
    return ofs, alpha


def _resample(x, axis, ofs, alpha):
    out = 0
    for k in range(len(alpha[0])):
        idx = np.array([o + k for o in ofs])
        wgt = np.array([a[k] for a in alpha])
        shape = [1, 1, 1]
        shape[axis] = -1
        out = out + np.take(x, idx, axis=axis) * wgt.reshape(shape)
    return out


def interp(x, kind, height_scale=1.0, width_scale=1.0, out_h=0, out_w=0, align=False):
    h, w = x.shape[1:]
    oh = out_h or int(h * height_scale)
    ow = out_w or int(w * width_scale)
    if kind == 1:  # nearest: floor(d · in/out) (or 1/scale when the scale is given)
        hs = h / oh if out_h else 1 / height_scale
        ws = w / ow if out_w else 1 / width_scale
        ys = [min(int(d * hs), h - 1) for d in range(oh)]
        xs = [min(int(d * ws), w - 1) for d in range(ow)]
        return x[:, ys][:, :, xs]
    coeffs = _linear_coeffs if kind == 2 else _cubic_coeffs
    y = _resample(x, 1, *coeffs(h, oh, align))
    return _resample(y, 2, *coeffs(w, ow, align))


def pixel_shuffle(x, r, mode=0):
    c, h, w = x.shape
    oc = c // (r * r)
    y = np.zeros((oc, h * r, w * r))
    for p in range(oc):
        for sh in range(r):
            for sw in range(r):
                q = p * r * r + sh * r + sw if mode == 0 else (sh * r + sw) * oc + p
                y[p, sh::r, sw::r] = x[q]
    return y


def pooling(x, kind, kernel, stride, pads=(0, 0, 0, 0)):
    """Valid-mode pooling (pad mode 1), max or average over the window."""
    xp = np.pad(x, ((0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=-np.inf if kind == 0 else 0)
    kh, kw = kernel
    oh = (xp.shape[1] - kh) // stride[0] + 1
    ow = (xp.shape[2] - kw) // stride[1] + 1
    windows = np.stack([xp[:, ky:ky + stride[0] * (oh - 1) + 1:stride[0],
                           kx:kx + stride[1] * (ow - 1) + 1:stride[1]]
                        for ky in range(kh) for kx in range(kw)])
    return windows.max(0) if kind == 0 else windows.mean(0)


def channel(v):
    """A per-channel vector, broadcast as ncnn broadcasts a 1-D blob over a 3-D one."""
    return np.asarray(v, np.float64).reshape(-1, 1, 1)
