#!/usr/bin/env python3
"""Writes the safetensors-shaped seeds of the fuzz corpora into OUT/TARGET/ (tools/fuzz.sh calls it):
checkpoints and safetensors files are what runs generate, so the repository keeps only their headers
here and this script adds the data section (zeros: the fuzzers work on structure, not values).

    python3 tools/fuzz/seeds.py .build-fuzz/seeds
"""
import json, os, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def safetensors(header_text):
    """A safetensors file: 8-byte little-endian header length, the JSON header, then the data section."""
    header = json.loads(header_text)
    size = max([0] + [t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"])
    raw = header_text.encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + bytes(size)


SEEDS = {
    "safetensors/empty": '{"__metadata__":{}}',
    "safetensors/small": '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},'
                         '"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"I64","shape":[],"data_offsets":[22,30]}}',
    # The fuzzer's one open crash: an element count that fits an Int whose byte size does not.
    "safetensors/regression-byte-size-overflow": '{"a": {"dtype": "F32", "shape": [4611686018427387904], "data_offsets": [0, 0]}}',
    # A tiny-model checkpoint of two tasks (its metadata as mtmc writes it), heads' tensors only.
    "checkpoint/heads-only": open(os.path.join(HERE, "seeds", "heads-only.header.json")).read(),
}

for name, header in SEEDS.items():
    path = os.path.join(sys.argv[1], name + ".safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(safetensors(header))
