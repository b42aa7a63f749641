"""Writes the ncnn_import fuzz target's seeds into the folder given: a knob byte, a small ncnn
network's .param text, a NUL, and its .bin, one seed per layer family."""
import struct
import sys
from pathlib import Path

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def floats(n, tagged=True):
    data = struct.pack(f"<{n}f", *[(i % 7 - 3) / 10 for i in range(n)])
    return (b"\0\0\0\0" if tagged else b"") + data


NETS = {
    "conv": ("Input in 0 1 d\nConvolution c 1 1 d o 0=3 1=3 4=1 5=1 6=81 9=2 -23310=1,0.1\n",
             floats(81) + floats(3, False)),
    "deconv": ("Input in 0 1 d\nConvolution c 1 1 d e 0=4 1=2 3=2 6=48\n"
               "Deconvolution u 1 1 e o 0=3 1=4 3=2 4=1 5=1 6=192\n",
               floats(48) + floats(192) + floats(3, False)),
    "se": ("Input in 0 1 d\nSplit s 1 2 d a b\nPooling p 1 1 a g 0=1 4=1\n"
           "InnerProduct f 1 1 g h 0=3 1=1 2=9 9=4\nBinaryOp m 2 1 b h o 0=2\n",
           floats(9) + floats(3, False)),
    "shuffle": ("Input in 0 1 d\nConvolution c 1 1 d e 0=12 1=1 6=36\nPixelShuffle p 1 1 e s 0=2\n"
                "Interp i 1 1 s o 0=3 1=0.5 2=0.5\n", floats(36)),
    "crop": ("Input in 0 1 d\nSplit s 1 2 d a b\nPadding p 1 1 a q 0=2 1=2 2=2 3=2 4=2\n"
             "Crop c 2 1 q b o 0=2 1=2\n", b""),
    "concat": ("Input in 0 1 d\nSplit s 1 2 d a b\nConcat c 2 1 a b e 0=0\n"
               "Slice l 1 2 e f g -23300=2,3,-233 1=0\nEltwise w 2 1 f g o 0=1 -23301=2,0.5,0.5\n", b""),
}
for i, (name, (param, binary)) in enumerate(NETS.items()):
    text = "7767517\n%d %d\n%s" % (param.count("\n"), 16, param)
    for knob in (0, 5, 6):
        (out / f"ncnn-{name}-{knob}").write_bytes(bytes([knob]) + text.encode() + b"\0" + binary)
