#!/usr/bin/env python3
"""The data benchmark's reference: Pillow and a PyTorch DataLoader with 2 workers doing what mtmc's
load and training pipeline do to every image of a JPEG tree: decode, resize to the cache size (8/7 of
the input), random affine (±15°, ±10 % shift, scale 0.9–1.1) sampled straight to the input size,
horizontal flip, colour jitter 0.05 (brightness, contrast, saturation, hue), to tensor, normalise.
These are the PIL operations torchvision's transforms call. Prints one JSON line: images/s."""
import argparse, json, math, os, random, time
import torch
from PIL import Image, ImageEnhance

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


class TreeImages(torch.utils.data.Dataset):
    def __init__(self, root, size):
        self.files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".jpg"))
        self.size, self.cache = size, size * 8 // 7

    def __len__(self):
        return len(self.files)

    def __getitem__(self, i):
        rnd = random.Random(i)
        image = Image.open(self.files[i]).convert("RGB").resize((self.cache, self.cache), Image.BILINEAR)
        angle, scale = math.radians(rnd.uniform(-15, 15)), rnd.uniform(0.9, 1.1)
        tx, ty = (rnd.uniform(-0.1, 0.1) * self.cache for _ in range(2))
        # Output pixel (u, v) samples the cache image at the inverse of rotate-scale-shift about the centre.
        c, s, k = math.cos(angle) / scale, math.sin(angle) / scale, self.cache / self.size
        half_out, half_in = self.size / 2, self.cache / 2
        a, b, d, e = c * k, s * k, -s * k, c * k
        image = image.transform((self.size, self.size), Image.AFFINE,
                                (a, b, half_in - tx - a * half_out - b * half_out, d, e, half_in - ty - d * half_out - e * half_out),
                                Image.BILINEAR)
        if rnd.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
            image = enhance(image).enhance(rnd.uniform(0.95, 1.05))
        h, s_, v = image.convert("HSV").split()
        h = h.point(lambda x, shift=int(rnd.uniform(-0.05, 0.05) * 255): (x + shift) % 256)
        image = Image.merge("HSV", (h, s_, v)).convert("RGB")
        t = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(self.size, self.size, 3)
        return (t.permute(2, 0, 1).float() / 255 - MEAN) / STD


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="only this many files, spread evenly over the sorted list")
    a = p.parse_args()
    torch.set_num_threads(1)
    data = TreeImages(a.root, a.size)
    if a.limit:
        data.files = data.files[:: max(1, len(data.files) // a.limit)][: a.limit]
    loader = torch.utils.data.DataLoader(data, batch_size=64, num_workers=a.workers)
    start, count = time.perf_counter(), 0
    for batch in loader:
        count += batch.shape[0]
    print(json.dumps({"images": count, "images_per_second": count / (time.perf_counter() - start)}))


if __name__ == "__main__":
    main()
