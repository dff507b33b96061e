#!/usr/bin/env python3
"""PyTorch reference for mtmc's training: the same "tiny" multi-task net, recipe and data.

Reads an MTMC tree (ROOT/TASK/{train,val}/CLASS/images), caches images at 8/7 of the input size as mtmc
does, trains with SGD (momentum 0.9, weight decay 1e-4), balanced per-class quotas per epoch
(max_base × fewest classes / classes in task; every image ⌊q/n⌋ times plus a random remainder),
tasks interleaved by a shuffled coordinator, cosine or constant learning rate; augmentation is the
resize to the input size (mtmc's `set augment off`) or a random crop + flip. Validation: resize to the input size.

    pip install torch pillow numpy
    python3 tools/reference/train_reference.py samples/prints --epochs 10 --lr 0.1 --max-base 100 --schedule cosine
"""
import argparse, os, random, time
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from tiny_net import Tiny

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def load_tree(root, size):
    cache = (size * 8 + 3) // 7
    tasks = []
    for task in sorted(os.listdir(root)):
        classes = sorted(os.listdir(os.path.join(root, task, "train")))
        split = {}
        for part in ("train", "val"):
            images, labels = [], []
            for label, name in enumerate(classes):
                folder = os.path.join(root, task, part, name)
                for f in sorted(os.listdir(folder)):
                    if f.lower().endswith((".jpg", ".jpeg", ".png")):
                        im = Image.open(os.path.join(folder, f)).convert("RGB").resize((cache, cache), Image.BILINEAR)
                        images.append(np.asarray(im))
                        labels.append(label)
            split[part] = (np.stack(images), np.array(labels))
        tasks.append(dict(name=task, classes=classes, **split))
    return tasks


def to_tensor(batch):
    x = torch.from_numpy(batch).permute(0, 3, 1, 2).float() / 255
    return (x - MEAN) / STD


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--max-base", type=int, default=0, help="0: mean class size; -1: balance off (every image once)")
    p.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    p.add_argument("--augment", action="store_true", help="random crop and flip instead of the centre crop")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed); random.seed(a.seed); np.random.seed(a.seed)
    start = time.time()
    tasks = load_tree(a.root, a.size)
    print(f"loaded {a.root} in {time.time() - start:.1f} s")
    sizes = [np.bincount(t["train"][1], minlength=len(t["classes"])) for t in tasks]
    max_base = a.max_base or int(np.mean(np.concatenate(sizes)))
    fewest = min(len(t["classes"]) for t in tasks)
    net = Tiny([len(t["classes"]) for t in tasks])
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9, weight_decay=1e-4)
    cache, crop = tasks[0]["train"][0].shape[1], a.size
    off = (cache - crop) // 2
    # mtmc's training view without augmentation: the cached image resized to the input, as validation.
    for t in tasks:
        t["train_view"] = np.stack([np.asarray(Image.fromarray(im).resize((crop, crop), Image.BILINEAR)) for im in t["train"][0]])
    train_start = time.time()
    for epoch in range(a.epochs):
        batches = []
        for ti, t in enumerate(tasks):
            quota = max_base * fewest // len(t["classes"])
            labels = t["train"][1]
            chosen = []
            for c in range(len(t["classes"])):
                idx = np.flatnonzero(labels == c)
                if a.max_base < 0:
                    chosen += list(idx)
                    continue
                chosen += list(np.tile(idx, quota // len(idx))) + list(np.random.permutation(idx)[: quota % len(idx)])
            chosen = np.random.permutation(chosen)
            parts = [chosen[i:i + a.batch] for i in range(0, len(chosen), a.batch)]
            if len(parts) > 1 and len(parts[-1]) == 1:
                parts[-2] = np.concatenate([parts[-2], parts[-1]]); parts.pop()
            batches += [(ti, b) for b in parts]
        random.shuffle(batches)
        net.train()
        stats = {}
        for step, (ti, idx) in enumerate(batches):
            if a.schedule == "cosine":
                for g in opt.param_groups:
                    g["lr"] = 0.5 * a.lr * (1 + np.cos(np.pi * (epoch + (step + 1) / len(batches)) / a.epochs))
            images = tasks[ti]["train"][0][idx]
            if a.augment:
                dx, dy = np.random.randint(0, cache - crop + 1, 2)
                images = images[:, dy:dy + crop, dx:dx + crop]
                if random.random() < 0.5:
                    images = images[:, :, ::-1]
            else:
                images = tasks[ti]["train_view"][idx]
            x, y = to_tensor(np.ascontiguousarray(images)), torch.from_numpy(tasks[ti]["train"][1][idx]).long()
            out = net(x, ti)
            loss = F.cross_entropy(out, y)
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            s = stats.setdefault(ti, [0, 0.0, 0])
            s[0] += len(idx); s[1] += loss.item() * len(idx); s[2] += (out.argmax(1) == y).sum().item()
        line = "  ".join(f"{tasks[ti]['name']} loss {s[1] / s[0]:.3f} top-1 {100 * s[2] / s[0]:.1f}%" for ti, s in sorted(stats.items()))
        print(f"epoch {epoch + 1}  {line}", flush=True)
    seconds = time.time() - train_start
    net.eval()
    with torch.no_grad():
        for ti, t in enumerate(tasks):
            images = np.stack([np.asarray(Image.fromarray(im).resize((a.size, a.size), Image.BILINEAR)) for im in t["val"][0]])
            correct = 0
            for i in range(0, len(images), 256):
                correct += (net(to_tensor(images[i:i + 256]), ti).argmax(1) == torch.from_numpy(t["val"][1][i:i + 256])).sum().item()
            print(f"val {t['name']}: top-1 {100 * correct / len(images):.1f}% ({len(images)} images)")
    print(f"training time {seconds:.0f} s")


if __name__ == "__main__":
    main()
