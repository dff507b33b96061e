#!/usr/bin/env python3
"""Turns Debian's Fashion-MNIST (apt-get install dataset-fashion-mnist) into an MTMC tree of PNGs:

    OUT/fashion/train/CLASS/*.png   (60,000 images)
    OUT/fashion/val/CLASS/*.png     (the 10,000 test images)

Standard library only.  python3 tools/fashion-mnist-tree.py /tmp/fashion-mnist
"""
import sys
from idx_tree import write_tree

SOURCE = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle-boot"]

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "fashion-mnist"
    write_tree(out, "fashion", CLASSES, {
        split: (f"{SOURCE}/{prefix}-images-idx3-ubyte.gz", f"{SOURCE}/{prefix}-labels-idx1-ubyte.gz")
        for split, prefix in [("train", "train"), ("val", "t10k")]})
