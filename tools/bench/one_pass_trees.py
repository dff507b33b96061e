#!/usr/bin/env python3
"""Writes the two real two-task trees that tools/bench/one-pass.sh trains on, subsampled so that a training
run takes a minute or two:

    OUT/same-domain/fashion/{train,val}/CLASS/*.png   Fashion-MNIST's 10 classes, on the first half of its images
    OUT/same-domain/garment/{train,val}/GROUP/*.png   the 4 coarse groups below, on the second half
    OUT/cross-domain/digits/{train,val}/CLASS/*.png   MNIST digits
    OUT/cross-domain/fashion/{train,val}/CLASS/*.png  Fashion-MNIST's 10 classes

Each task takes TRAIN training and VAL validation images (default 1500 and 1000), drawn with a fixed seed;
the two same-domain tasks draw from disjoint halves of Fashion-MNIST's train and test sets.

    python3 tools/bench/one_pass_trees.py MNIST_IDX_FOLDER OUT [TRAIN VAL]

Fashion-MNIST comes from Debian (apt-get install dataset-fashion-mnist); MNIST's IDX files as in
tools/mnist-tree.py. Standard library only.
"""
import os, random, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from idx_tree import png_gray, read_idx  # noqa: E402

FASHION = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle-boot"]
DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
# Coarse groups of Fashion-MNIST's classes: what a shop's top-level menu would show.
GROUP_OF = {"T-shirt": "tops", "Pullover": "tops", "Coat": "tops", "Shirt": "tops",
            "Trouser": "bottoms-dresses", "Dress": "bottoms-dresses",
            "Sandal": "shoes", "Sneaker": "shoes", "Ankle-boot": "shoes", "Bag": "bags"}


def load(images_path, labels_path):
    images, rows, cols = read_idx(images_path)
    labels, _, _ = read_idx(labels_path)
    return list(zip(images, labels)), rows, cols


def write_task(out, task, items, names, rows, cols):
    for name in sorted(set(names)):
        os.makedirs(os.path.join(out, task, name), exist_ok=True)
    for i, (pixels, label) in enumerate(items):
        with open(os.path.join(out, task, names[label], f"{i:05d}.png"), "wb") as f:
            f.write(png_gray(pixels, cols, rows))


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    mnist, out = sys.argv[1], sys.argv[2]
    train_n, val_n = (int(sys.argv[3]), int(sys.argv[4])) if len(sys.argv) == 5 else (1500, 1000)
    rng = random.Random(1)
    fashion = {s: load(f"{FASHION}/{p}-images-idx3-ubyte.gz", f"{FASHION}/{p}-labels-idx1-ubyte.gz")
               for s, p in [("train", "train"), ("val", "t10k")]}
    digits = {s: load(f"{mnist}/{p}-images.idx3-ubyte", f"{mnist}/{p}-labels.idx1-ubyte")
              for s, p in [("train", "train"), ("val", "t10k")]}
    groups = [GROUP_OF[c] for c in FASHION_CLASSES]
    for split, n in [("train", train_n), ("val", val_n)]:
        items, rows, cols = fashion[split]
        order = list(range(len(items)))
        rng.shuffle(order)
        half = len(order) // 2
        first = [items[i] for i in order[:half][:n]]
        second = [items[i] for i in order[half:][:n]]
        write_task(f"{out}/same-domain/fashion/{split}", "", first, FASHION_CLASSES, rows, cols)
        write_task(f"{out}/same-domain/garment/{split}", "", second, groups, rows, cols)
        write_task(f"{out}/cross-domain/fashion/{split}", "", first, FASHION_CLASSES, rows, cols)
        d_items, d_rows, d_cols = digits[split]
        write_task(f"{out}/cross-domain/digits/{split}", "", rng.sample(d_items, n), DIGITS, d_rows, d_cols)
        print(f"{split}: {n} images per task")


if __name__ == "__main__":
    main()
