#!/usr/bin/env python3
"""Writes the drawings a hostile client sends, for scripts/hostile-benchmark:

  costly.png  the costliest drawing the limits allow: 2048x2048 RGBA, every row Paeth-filtered
              (the slowest filter to undo) and ink across the whole image, compressed to a few
              tens of kilobytes;
  bomb.png    a valid 28x28 drawing whose image data goes on with 2 GB of compressed zeros
              (about 2 MB of file)."""
import os
import random
import struct
import sys
import zlib

folder = sys.argv[1]


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, colour_type, idat):
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


costly = os.path.join(folder, "costly.png")
if not os.path.exists(costly):
    side = 2048
    random.seed(7)
    # The first row random greys, opaque; every row after it Paeth with nothing left to add,
    # so the stripes run down the whole image.
    first = bytes(v for _ in range(side) for v in (lambda g: (g, g, g, 255))(random.randrange(0, 256)))
    rows = b"\x04" + first + (b"\x04" + bytes(side * 4)) * (side - 1)
    with open(costly, "wb") as out:
        out.write(png(side, side, 6, zlib.compress(rows, 9)))

bomb = os.path.join(folder, "bomb.png")
if not os.path.exists(bomb):
    compressor = zlib.compressobj(9)
    rows = b"".join(b"\x00" + bytes([255 if 8 < x < 20 else 0 for x in range(28)]) for _ in range(28))
    parts = [compressor.compress(rows)]
    zeros = bytes(1 << 20)
    for _ in range(2000):  # 2,000 MB of zeros
        parts.append(compressor.compress(zeros))
    parts.append(compressor.flush())
    with open(bomb, "wb") as out:
        out.write(png(28, 28, 0, b"".join(parts)))
