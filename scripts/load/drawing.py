#!/usr/bin/env python3
"""Writes a 280x280 PNG of a hand-drawn-looking 7 as a browser's canvas.toBlob sends it:
8-bit RGBA, dark round strokes about 18 px wide with anti-aliased edges on white."""
import struct
import sys
import zlib

SIZE = 280
pixels = bytearray([255] * SIZE * SIZE)


def dab(cx, cy, radius=9):
    for y in range(max(0, cy - radius - 1), min(SIZE, cy + radius + 2)):
        for x in range(max(0, cx - radius - 1), min(SIZE, cx + radius + 2)):
            # Coverage falls from 1 to 0 across the stroke's last pixel, as canvas anti-aliasing does.
            coverage = min(1.0, max(0.0, radius + 0.5 - ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5))
            pixels[y * SIZE + x] = min(pixels[y * SIZE + x], round(255 * (1 - coverage)))


for t in range(101):
    dab(60 + t * 16 // 10, 50)  # the bar
    dab(220 - t * 11 // 10, 50 + t * 19 // 10)  # the stroke down


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


rows = b"".join(b"\x00" + b"".join(bytes((v, v, v, 255)) for v in pixels[y * SIZE:(y + 1) * SIZE]) for y in range(SIZE))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")
with open(sys.argv[1], "wb") as out:
    out.write(png)
