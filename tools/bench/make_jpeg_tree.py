#!/usr/bin/env python3
"""Writes a dataset tree of N JPEG images (side×side, quality 90) for the disk-cache and pipeline
measurements: ROOT/task{0,1}/{train,val}/class{0..9}/i.jpg, 80 % train. Each image is a
smooth colour field per class with random rectangles and noise, so JPEG sizes are those of photos
rather than of flat colour. Not committed; reruns skip files that exist.
With --distinct D, only images 0…D−1 are drawn and image i ≥ D is a byte copy of image i mod D (D a
multiple of 20, so the copy lands in the same task, split and class): drawing 200,000 images takes hours
on a small machine, copying them minutes, and a copy costs the same to read, decode and store.

usage: make_jpeg_tree.py ROOT --count 20000 --side 256 [--workers 2] [--distinct D]"""
import argparse, os, random, shutil
from multiprocessing import Pool
from PIL import Image, ImageDraw, ImageFilter


def path_of(root, i):
    task, label, split = i % 2, (i // 2) % 10, "val" if (i // 20) % 5 == 0 else "train"
    return os.path.join(root, f"task{task}", split, f"class{label}", f"{i}.jpg")


def make(args):
    root, side, i = args
    path = path_of(root, i)
    if os.path.exists(path):
        return
    rnd = random.Random(i)
    label = (i // 2) % 10
    image = Image.new("RGB", (side, side), (label * 25, 255 - label * 20, rnd.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rnd.randrange(side), rnd.randrange(side)
        w, h = rnd.randrange(side // 8, side // 2), rnd.randrange(side // 8, side // 2)
        draw.rectangle([x, y, x + w, y + h], fill=tuple(rnd.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(side / 64))
    noise = Image.effect_noise((side, side), 24).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    image.save(path, quality=90)


def copy(args):
    root, distinct, i = args
    path = path_of(root, i)
    if not os.path.exists(path):
        shutil.copyfile(path_of(root, i % distinct), path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--side", type=int, default=256)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--distinct", type=int, default=0, help="draw only this many (a multiple of 20); the rest copy them")
    a = p.parse_args()
    distinct = min(a.count, a.distinct or a.count)
    if distinct % 20 and distinct < a.count:
        p.error(f"--distinct {distinct}: must be a multiple of 20, so that copies keep their class")
    for i in range(min(a.count, 100)):
        os.makedirs(os.path.dirname(path_of(a.root, i)), exist_ok=True)
    with Pool(a.workers) as pool:
        pool.map(make, [(a.root, a.side, i) for i in range(distinct)], chunksize=256)
    for i in range(distinct, a.count):
        copy((a.root, distinct, i))


if __name__ == "__main__":
    main()
