"""Writes an MNIST-format dataset (IDX files, gzipped or not) as an MTMC tree of grayscale PNGs:

    OUT/TASK/train/CLASS/NNNNN.png   (the train images)
    OUT/TASK/val/CLASS/NNNNN.png     (the t10k images)

Shared by tools/fashion-mnist-tree.py and tools/mnist-tree.py; standard library only.
"""
import gzip, os, struct, zlib


def read_idx(path):
    """Images as a list of byte strings (with rows, cols), or labels as a list of ints (rows = cols = 0)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
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


def write_tree(out, task, classes, files):
    """files: {"train": (images path, labels path), "val": (...)}."""
    for split, (images_path, labels_path) in files.items():
        images, rows, cols = read_idx(images_path)
        labels, _, _ = read_idx(labels_path)
        for name in classes:
            os.makedirs(os.path.join(out, task, split, name), exist_ok=True)
        for i, (pixels, label) in enumerate(zip(images, labels)):
            with open(os.path.join(out, task, split, classes[label], f"{i:05d}.png"), "wb") as f:
                f.write(png_gray(pixels, cols, rows))
        print(f"{split}: {len(images)} images")
