#!/usr/bin/env python3
"""The one-off prediction a PyTorch user would run: start Python, import torch, build the tiny net,
load an mtmc checkpoint (safetensors, read with the standard library and torch), decode and resize
one image with Pillow, normalise, run the net for every task, print softmax per task."""
import json, os, struct, sys

import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from tiny_net import Tiny  # noqa: E402


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    meta, body = header.pop("__metadata__", {}), data[8 + length:]
    tensors = {name: torch.frombuffer(bytearray(body[s:e]), dtype=torch.float32).view(info["shape"])
               for name, info in header.items() for s, e in [info["data_offsets"]]}
    return tensors, meta


def main():
    tensors, meta = load_safetensors(sys.argv[1])
    tasks = json.loads(meta["tasks"])
    net = Tiny([len(t["classes"]) for t in tasks])
    # mtmc names a block's pair conv and bn; the PyTorch net numbers them inside a Sequential.
    renamed = {k.replace("backbone.", "").replace(".conv.", ".0.").replace(".bn.", ".1.") if k.startswith("backbone.") else k: v
               for k, v in tensors.items()}
    net.load_state_dict({k: renamed[k] for k in net.state_dict() if not k.endswith("num_batches_tracked")}, strict=False)
    net.eval()
    image = Image.open(sys.argv[2]).convert("RGB").resize((64, 64), Image.BILINEAR)
    x = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8).view(64, 64, 3).permute(2, 0, 1).float() / 255
    x = ((x - torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)) / torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1))[None]
    with torch.no_grad():
        for index, task in enumerate(tasks):
            print(task["name"], net(x, index).softmax(1)[0].tolist())


if __name__ == "__main__":
    main()
