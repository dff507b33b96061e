#!/usr/bin/env python3
"""A large synthetic dataset tree for timing the exploration commands: small PNGs of smooth
random patterns (a random 8x8 colour grid, bilinearly upscaled), 2 tasks x 10 classes, 90 % train and
10 % val, with planted problems whose counts are printed: exact copies within a class, across classes
(label conflicts) and from train into val (leaks), brightened near-copies from train into val, solid-colour
images and tiny images. The tree is generated, never committed.

    python3 tools/make-explore-tree.py /tmp/explore100k 100000 [SIDE]
"""
import os
import sys

import numpy as np
from PIL import Image


def pattern(rng, side):
    grid = rng.integers(0, 236, size=(8, 8, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(grid).resize((side, side), Image.BILINEAR))


def main():
    root, total = sys.argv[1], int(sys.argv[2])
    side = int(sys.argv[3]) if len(sys.argv) > 3 else 48
    rng = np.random.default_rng(11)
    tasks = {"形状": [f"类{i}" for i in range(10)], "颜色": [f"色{i}" for i in range(10)]}
    per_task = total // len(tasks)
    planted = {"exact within class": 0, "label conflicts": 0, "exact leaks": 0, "near leaks": 0, "uniform": 0, "tiny": 0}
    for task, classes in tasks.items():
        for split in ("train", "val"):
            for c in classes:
                os.makedirs(f"{root}/{task}/{split}/{c}", exist_ok=True)
        last = {}  # the latest train image of each class, for copies
        for i in range(per_task):
            c = classes[i % len(classes)]
            split = "val" if (i // 10) % 10 == 9 else "train"
            path = f"{root}/{task}/{split}/{c}/{i:06d}.png"
            kind, other = i % 1000, classes[(i + 1) % len(classes)]
            if kind == 11 and c in last:  # train: an exact copy of an image of the same class
                image = last[c]
                planted["exact within class"] += 1
            elif kind == 12 and other in last:  # train: an exact copy of another class's image
                image = last[other]
                planted["label conflicts"] += 1
            elif kind == 91 and c in last:  # val: an exact copy of a train image of its class
                image = last[c]
                planted["exact leaks"] += 1
            elif kind == 92 and c in last:  # val: a brightened copy of a train image of its class
                image = np.clip(last[c].astype(int) + 3, 0, 255).astype(np.uint8)
                planted["near leaks"] += 1
            elif kind == 3:
                image = np.full((side, side, 3), rng.integers(0, 256), dtype=np.uint8)
                planted["uniform"] += 1
            elif kind == 4:
                image = pattern(rng, 12)
                planted["tiny"] += 1
            else:
                image = pattern(rng, side)
            Image.fromarray(image).save(path, compress_level=1)
            if split == "train":
                last[c] = image
    print(f"{per_task * len(tasks)} images in {root}; planted (attempted, counted per task together): {planted}")


if __name__ == "__main__":
    main()
