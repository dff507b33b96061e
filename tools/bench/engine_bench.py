#!/usr/bin/env python3
"""The engine benchmark's reference: the same net (tiny, resnet18 or darknet) and recipe in PyTorch.

Prints one JSON line (images/s per window, latency per run, peak RSS after training) that `mtmc-bench` reads.
Both NCHW and channels_last are run; the faster training figure is reported. With --device cuda the
same runs on the GPU in FP32 with TF32 off (as mtmc's kernels), synchronising before each clock read.
"""
import argparse, json, os, resource, statistics, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from backbones import MODELS  # noqa: E402


def measure(a, channels_last):
    torch.manual_seed(0)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    net = MODELS[a.model]([10, 6]).to(a.device, memory_format=fmt)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(a.batch, 3, a.size, a.size).to(a.device, memory_format=fmt)
    labels = [torch.randint(0, k, (a.batch,)).to(a.device) for k in (10, 6)]
    step = [0]
    sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)

    def train_step():
        t = step[0] % 2
        loss = F.cross_entropy(net(x, t), labels[t])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step[0] += 1

    net.train()
    for _ in range(3):
        train_step()
    train = []
    for _ in range(a.windows):
        sync()
        s = time.perf_counter()
        for _ in range(a.steps_per_window):
            train_step()
        sync()
        train.append(a.batch * a.steps_per_window / (time.perf_counter() - s))
    # The training row's memory: the peak so far (for the second layout it also covers the first's run).
    train_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    net.eval()
    rates, lat = [], []
    with torch.no_grad():
        net(x, 0)
        for _ in range(a.windows):
            sync()
            s = time.perf_counter()
            for t in range(2):
                net(x, t)
            sync()
            rates.append(2 * a.batch / (time.perf_counter() - s))
        one = torch.randn(1, 3, a.size, a.size).to(a.device, memory_format=fmt)
        for _ in range(a.latency_runs):
            sync()
            s = time.perf_counter()
            net(one, 0)
            sync()
            lat.append((time.perf_counter() - s) * 1000)
    return train, rates, lat, train_rss


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(MODELS), default="tiny")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--latency-runs", type=int, default=20)
    p.add_argument("--windows", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps-per-window", type=int, default=4)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    nchw = measure(a, False)
    cl = measure(a, True)
    best, layout = max((nchw, "NCHW"), (cl, "channels_last"), key=lambda r: statistics.median(r[0][0]))
    print(json.dumps({
        "torch_version": torch.__version__, "layout": layout, "device": a.device,
        "train": best[0], "eval": best[1], "latency_ms": best[2],
        "peak_rss_mb": best[3],
    }))


if __name__ == "__main__":
    main()
