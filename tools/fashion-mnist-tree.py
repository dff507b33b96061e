#!/usr/bin/env python3
"""Turns Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist) into an MTMC tree of PNGs:

    OUT/fashion/train/CLASS/*.png   (60,000 images)
    OUT/fashion/val/CLASS/*.png     (the 10,000 test images)

Standard library only.  python3 tools/fashion-mnist-tree.py /tmp/fashion-mnist
"""
import gzip, os, struct, sys, zlib

SOURCE = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle-boot"]


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return [data[16 + i * rows * cols: 16 + (i + 1) * rows * cols] for i in range(count)], rows, cols
    return list(data[8:8 + count]), 0, 0


def png_gray(pixels, width, height):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "fashion-mnist"
    for split, prefix in [("train", "train"), ("val", "t10k")]:
        images, rows, cols = read_idx(f"{SOURCE}/{prefix}-images-idx3-ubyte.gz")
        labels, _, _ = read_idx(f"{SOURCE}/{prefix}-labels-idx1-ubyte.gz")
        for name in CLASSES:
            os.makedirs(os.path.join(out, "fashion", split, name), exist_ok=True)
        for i, (pixels, label) in enumerate(zip(images, labels)):
            with open(os.path.join(out, "fashion", split, CLASSES[label], f"{i:05d}.png"), "wb") as f:
                f.write(png_gray(pixels, cols, rows))
        print(f"{split}: {len(images)} images")


if __name__ == "__main__":
    main()
