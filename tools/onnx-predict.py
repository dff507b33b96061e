#!/usr/bin/env python3
"""Predicts images with a model written by mtmc's `export onnx`, printing what `mtmc predict --json` prints.

Usage: onnx-predict.py MODEL.onnx IMAGE_OR_FOLDER... [--threshold 0.5] [--threads N]

Everything comes from the model's metadata: tasks and classes, the input size, how mtmc prepares an image
(the "preprocessing" entry), and the calibration tables. Images are decoded with the libraries mtmc uses
(libjpeg-turbo's TurboJPEG API and libpng, through ctypes), at the same JPEG DCT scale, then resized with mtmc's
resampling (reimplemented below with numpy, float32 sums in the same order), so the graph sees the input mtmc's
network sees. Without those libraries it falls back to Pillow and says so: Pillow cannot decode a JPEG at mtmc's
scales of n/8, and its PNG reader ignores gamma, so outputs can then differ slightly.

Needs onnxruntime, numpy (and Pillow for the fallback).
"""
import argparse
import ctypes
import ctypes.util
import json
import math
import os
import sys

import numpy as np
import onnxruntime as ort

PIXEL_LIMIT = 100_000_000  # what `mtmc predict` allows
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png"}


class ImageError(Exception):
    pass


def load_library(names, short):
    """The first of `names` that loads, else the system's `short` library; None when there is none."""
    found = ctypes.util.find_library(short)
    for name in names + ([found] if found else []):
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


class TurboJPEG:
    """JPEG through libjpeg-turbo's TurboJPEG 2.x API, as mtmc's Vision/JPEG.swift calls it."""
    TJPF_RGB, TJPF_CMYK, TJCS_CMYK, TJCS_YCCK, TJFLAG_ACCURATEDCT, TJERR_WARNING = 0, 11, 3, 4, 4096, 0

    class ScalingFactor(ctypes.Structure):
        _fields_ = [("num", ctypes.c_int), ("denom", ctypes.c_int)]

    def __init__(self, lib):
        c = ctypes
        self.lib = lib
        lib.tjInitDecompress.restype = c.c_void_p
        lib.tjDestroy.argtypes = [c.c_void_p]
        lib.tjDecompressHeader3.argtypes = [c.c_void_p, c.c_char_p, c.c_ulong] + [c.POINTER(c.c_int)] * 4
        lib.tjGetScalingFactors.argtypes = [c.POINTER(c.c_int)]
        lib.tjGetScalingFactors.restype = c.POINTER(TurboJPEG.ScalingFactor)
        lib.tjDecompress2.argtypes = [c.c_void_p, c.c_char_p, c.c_ulong, c.c_void_p] + [c.c_int] * 5
        lib.tjGetErrorStr2.argtypes = [c.c_void_p]
        lib.tjGetErrorStr2.restype = c.c_char_p
        lib.tjGetErrorCode.argtypes = [c.c_void_p]
        count = c.c_int(0)
        factors = lib.tjGetScalingFactors(c.byref(count))
        self.factors = [(factors[i].num, factors[i].denom) for i in range(count.value)]

    def scaled_size(self, width, height, target):
        """The smallest scaled size whose sides both cover the target (mtmc's JPEG.scaledSize)."""
        best = (width, height)
        for num, denom in self.factors:
            if num > denom:
                continue
            w, h = (width * num + denom - 1) // denom, (height * num + denom - 1) // denom
            if w >= target[0] and h >= target[1] and w * h < best[0] * best[1]:
                best = (w, h)
        return best

    def decode(self, data, target):
        c, lib = ctypes, self.lib
        handle = lib.tjInitDecompress()
        if not handle:
            raise ImageError("cannot start the JPEG decoder")
        try:
            def reason(what):
                return ImageError(f"{what}: {lib.tjGetErrorStr2(handle).decode('utf-8', 'replace')}")
            width, height, subsampling, colorspace = c.c_int(), c.c_int(), c.c_int(), c.c_int()
            if lib.tjDecompressHeader3(handle, data, len(data), c.byref(width), c.byref(height),
                                       c.byref(subsampling), c.byref(colorspace)) != 0:
                raise reason("invalid JPEG header")
            check_pixels(width.value, height.value)
            w, h = self.scaled_size(width.value, height.value, target)
            cmyk = colorspace.value in (self.TJCS_CMYK, self.TJCS_YCCK)
            out = np.zeros((h, w, 4 if cmyk else 3), dtype=np.uint8)
            status = lib.tjDecompress2(handle, data, len(data), out.ctypes.data_as(c.c_void_p), w, 0, h,
                                       self.TJPF_CMYK if cmyk else self.TJPF_RGB, self.TJFLAG_ACCURATEDCT)
            if status != 0:
                warning = lib.tjGetErrorCode(handle) == self.TJERR_WARNING
                raise reason("corrupt or truncated JPEG data" if warning else "cannot decode JPEG")
        finally:
            lib.tjDestroy(handle)
        if not cmyk:
            return out
        # Inverted (Adobe) CMYK as TurboJPEG returns it: R = C·K/255, rounded as mtmc does.
        k = out[:, :, 3:4].astype(np.int64)
        return ((out[:, :, :3].astype(np.int64) * k + 127) // 255).astype(np.uint8)


class LibPNG:
    """PNG through libpng's simplified API, as mtmc's Vision/PNG.swift calls it."""
    VERSION, ALPHA, COLOR, LINEAR = 1, 1, 2, 4

    class Image(ctypes.Structure):
        _fields_ = [("opaque", ctypes.c_void_p), ("version", ctypes.c_uint32), ("width", ctypes.c_uint32),
                    ("height", ctypes.c_uint32), ("format", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                    ("colormap_entries", ctypes.c_uint32), ("warning_or_error", ctypes.c_uint32),
                    ("message", ctypes.c_char * 64)]

    def __init__(self, lib):
        c = ctypes
        self.lib = lib
        lib.png_image_begin_read_from_memory.argtypes = [c.POINTER(LibPNG.Image), c.c_char_p, c.c_size_t]
        lib.png_image_finish_read.argtypes = [c.POINTER(LibPNG.Image), c.c_void_p, c.c_void_p, c.c_int32, c.c_void_p]
        lib.png_image_free.argtypes = [c.POINTER(LibPNG.Image)]

    def decode(self, data):
        c, lib = ctypes, self.lib
        image = LibPNG.Image()
        image.version = self.VERSION
        try:
            def reason(what):
                return ImageError(f"{what}: {image.message.decode('utf-8', 'replace')}")
            if lib.png_image_begin_read_from_memory(c.byref(image), data, len(data)) == 0:
                raise reason("invalid PNG header")
            w, h = image.width, image.height
            check_pixels(w, h)
            sixteen = image.format & self.LINEAR != 0
            image.format = self.COLOR | self.ALPHA | (self.LINEAR if sixteen else 0)
            rgba = np.zeros((h, w, 4), dtype=np.uint16 if sixteen else np.uint8)
            if lib.png_image_finish_read(c.byref(image), None, rgba.ctypes.data_as(c.c_void_p), 0, None) == 0:
                raise reason("cannot decode PNG")
        finally:
            lib.png_image_free(c.byref(image))
        v, a = rgba[:, :, :3].astype(np.int64), rgba[:, :, 3:4].astype(np.int64)
        if sixteen:
            return (np.minimum(65535, v + (65535 - a)) >> 8).astype(np.uint8)
        return ((v * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def check_pixels(width, height):
    if width <= 0 or height <= 0:
        raise ImageError(f"header declares an empty image ({width}×{height}): truncated?")
    if width * height > PIXEL_LIMIT:
        raise ImageError(f"image declares {width}×{height} pixels, over the limit of {PIXEL_LIMIT} pixels")


class Decoder:
    """Bytes → RGB uint8 [height, width, 3], recognising JPEG and PNG by their first bytes as mtmc does."""

    def __init__(self):
        jpeg = load_library(["libturbojpeg.so.0", "libturbojpeg.0.dylib", "libturbojpeg.dylib"], "turbojpeg")
        png = load_library(["libpng16.so.16", "libpng16.16.dylib", "libpng16.dylib"], "png16")
        self.jpeg = TurboJPEG(jpeg) if jpeg else None
        self.png = LibPNG(png) if png else None
        missing = [name for name, lib in (("libturbojpeg", jpeg), ("libpng16", png)) if lib is None]
        if missing:
            print(f"note: {', '.join(missing)} not found: decoding with Pillow, whose results can differ slightly from mtmc's",
                  file=sys.stderr)

    def decode(self, path, target):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as error:
            raise ImageError(f"cannot read: {error.strerror}")
        if not data:
            raise ImageError("empty file (0 bytes)")
        if data.startswith(b"\xff\xd8\xff"):
            return self.jpeg.decode(data, target) if self.jpeg else pillow_decode(path)
        if data.startswith(b"\x89PNG\r\n\x1a\n"):
            return self.png.decode(data) if self.png else pillow_decode(path)
        raise ImageError("not a JPEG or PNG file (starts with " + " ".join(f"{b:02X}" for b in data[:4]) + ")")


def pillow_decode(path):
    from PIL import Image
    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.int64)
    v, a = rgba[:, :, :3], rgba[:, :, 3:4]
    return ((v * a + 255 * (255 - a) + 127) // 255).astype(np.uint8)


def resample_taps(in_size, out_size):
    """mtmc's Resize.swift taps (Pillow's bilinear coefficients): start index and float32 weights per output."""
    scale = in_size / out_size
    support = max(scale, 1.0)
    taps = []
    for o in range(out_size):
        center = (o + 0.5) * scale
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        weights = [np.float32(max(0.0, 1 - abs((i - center + 0.5) / support))) for i in range(lo, hi)]
        total = np.float32(0)
        for w in weights:
            total = np.float32(total + w)
        if total > 0:
            weights = [np.float32(w / total) for w in weights]
        taps.append((lo, weights))
    return taps


def resample_axis(pixels, out_size, axis):
    """Resamples uint8 pixels along `axis`: float32 sums of weight·value in tap order, rounded half up to 8 bits."""
    taps = resample_taps(pixels.shape[axis], out_size)
    width = max(len(w) for _, w in taps)
    # Missing taps weigh 0 and read the first one: adding 0 to a float32 sum leaves it unchanged.
    index = np.array([[lo + min(k, max(len(w) - 1, 0)) for k in range(width)] for lo, w in taps])
    weight = np.array([w + [np.float32(0)] * (width - len(w)) for _, w in taps], dtype=np.float32)
    source = np.moveaxis(pixels, axis, 0).astype(np.float32)
    total = np.zeros((out_size,) + source.shape[1:], dtype=np.float32)
    shape = (out_size,) + (1,) * (source.ndim - 1)
    for k in range(width):
        total = total + weight[:, k].reshape(shape) * source[index[:, k]]
    rounded = np.minimum(np.floor(total + np.float32(0.5)), 255).astype(np.uint8)
    return np.moveaxis(rounded, 0, axis)


def resized(pixels, width, height):
    """mtmc's `resized`: rows first (skipped when the width is right), then columns (skipped when the height is)."""
    if pixels.shape[1] != width:
        pixels = resample_axis(pixels, width, axis=1)
    if pixels.shape[0] != height:
        pixels = resample_axis(pixels, height, axis=0)
    return pixels


def image_files(paths):
    """(path, shown) per image (a folder means its images, sorted by code point), and folders without images."""
    files, failures = [], []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if os.path.splitext(n)[1][1:].lower() in IMAGE_EXTENSIONS)
            if not names:
                failures.append(f"{path}: no images in this folder")
            files += [(os.path.join(path, n), os.path.join(path, n)) for n in names]
        else:
            files.append((path, path))
    return files, failures


def confidence(raw, thresholds, levels):
    """The highest precision level whose threshold the raw output reaches; 0 below every level."""
    best = 0.0
    for level, threshold in zip(levels, thresholds):
        if threshold is not None and raw >= threshold:
            best = max(best, level)
    return best


def scores(raw_row, softmax_row, classes, table):
    """Every class of one task for one image, highest raw output first, as `mtmc predict --json` lists them."""
    listed = []
    for index, name in enumerate(classes):
        raw = float(raw_row[index])
        listed.append({"index": index, "class": name, "raw": raw if math.isfinite(raw) else None,
                       "softmax": float(softmax_row[index]) if math.isfinite(softmax_row[index]) else None,
                       "confidence": confidence(raw, table["ptmat_dict"][name], table["pvals"]) if table else None})
    listed.sort(key=lambda s: (-s["raw"] if s["raw"] is not None else math.inf, s["index"]))
    for s in listed:
        del s["index"]
    return listed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--threshold", type=float, default=0.5, help="calibrated confidence listed under \"above\"")
    parser.add_argument("--threads", type=int, default=0, help="ONNX Runtime intra-op threads (0: its default)")
    args = parser.parse_args()

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
    meta = {k: json.loads(v) for k, v in session.get_modelmeta().custom_metadata_map.items()}
    tasks, calibration = meta["tasks"], meta["calibration"] or {}
    pre = meta["preprocessing"]
    intermediate = (pre["intermediate_size"]["width"], pre["intermediate_size"]["height"])
    size = (meta["input_size"]["width"], meta["input_size"]["height"])
    outputs = [name for task in tasks for name in (task["raw_output"], task["softmax_output"])]

    decoder = Decoder()
    files, failures = image_files(args.images)
    for failure in failures:
        print(f"skipped {failure}", file=sys.stderr)
    predicted = 0
    for start in range(0, len(files), 64):
        batch, shown = [], []
        for path, label in files[start:start + 64]:
            try:
                pixels = decoder.decode(path, intermediate)
            except ImageError as error:
                print(f"skipped {label}: {error}", file=sys.stderr)
                continue
            view = resized(resized(pixels, *intermediate), *size)
            batch.append(np.ascontiguousarray(view.transpose(2, 0, 1)).astype(np.float32) / np.float32(255))
            shown.append(label)
        if not batch:
            continue
        results = dict(zip(outputs, session.run(outputs, {"image": np.stack(batch)})))
        for i, label in enumerate(shown):
            per_task, above = {}, {}
            for task in tasks:
                table = calibration.get(task["name"])
                listed = scores(results[task["raw_output"]][i], results[task["softmax_output"]][i], task["classes"], table)
                per_task[task["name"]] = listed
                above[task["name"]] = [s["class"] for s in listed if (s["confidence"] if s["confidence"] is not None else -1) >= args.threshold]
            line = {"image": label, "tasks": per_task}
            if calibration:
                line["above"] = above
            print(json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
            predicted += 1
    sys.exit(0 if predicted else 1)


if __name__ == "__main__":
    main()
