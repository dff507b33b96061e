#!/usr/bin/env python3
"""The engine benchmark's reference: the same net (tiny, resnet18 or darknet) and recipe in PyTorch, in one
layout (NCHW or channels_last), driven window by window over standard input by `mtmc-bench`.

After building the net and three warm-up steps it prints `ready`; then each input line is a command and
each answer one JSON list: `train` (images/s of one window of training steps), `eval` (images/s of one
window of evaluation), `latency` (ms of each of --latency-runs batch-1 runs, after one untimed run), `rss`
(peak resident MB so far: asked when training ends), `quit`. mtmc-bench alternates its own windows with
these, so that a change of load on the machine falls on both sides alike. With --device cuda the same runs
on the GPU in FP32 with TF32 off (as mtmc's kernels), synchronising before each clock read. With --compile the
training steps run through torch.compile (inductor), compiled during the warm-up steps (both task heads), so
that no window includes compilation; a net that cannot compile prints `error: REASON` instead of `ready`.
"""
import argparse, json, os, resource, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
from backbones import MODELS  # noqa: E402


class Side:
    """One layout's net, optimizer and inputs; each method runs one window."""

    def __init__(self, a):
        torch.manual_seed(0)
        self.a = a
        self.fmt = torch.channels_last if a.layout == "channels_last" else torch.contiguous_format
        self.net = MODELS[a.model]([10, 6]).to(a.device, memory_format=self.fmt)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        self.forward = torch.compile(self.net) if a.compile else self.net
        self.x = torch.randn(a.batch, 3, a.size, a.size).to(a.device, memory_format=self.fmt)
        self.labels = [torch.randint(0, k, (a.batch,)).to(a.device) for k in (10, 6)]
        self.one = torch.randn(1, 3, a.size, a.size).to(a.device, memory_format=self.fmt)
        self.step = 0
        self.sync = torch.cuda.synchronize if a.device == "cuda" else (lambda: None)
        self.net.train()
        for _ in range(4 if a.compile else 3):  # compiled: each task's graph, then once more compiled
            self.train_step()
        self.evaluating = False

    def train_step(self):
        t = self.step % 2
        loss = F.cross_entropy(self.forward(self.x, t), self.labels[t])
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.step += 1

    def timed(self, body):
        self.sync()
        s = time.perf_counter()
        body()
        self.sync()
        return time.perf_counter() - s

    def train(self):
        steps = self.a.steps_per_window
        return [self.a.batch * steps / self.timed(lambda: [self.train_step() for _ in range(steps)])]

    def eval(self):
        if not self.evaluating:  # the first evaluation window: switch modes and warm up, untimed
            self.net.eval()
            self.evaluating = True
            with torch.no_grad():
                self.net(self.x, 0)
        with torch.no_grad():
            return [2 * self.a.batch / self.timed(lambda: [self.net(self.x, t) for t in range(2)])]

    def latency(self):
        with torch.no_grad():
            self.net(self.one, 0)
            return [self.timed(lambda: self.net(self.one, 0)) * 1000 for _ in range(self.a.latency_runs)]

    def rss(self):
        return [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=sorted(MODELS), default="tiny")
    p.add_argument("--layout", choices=["nchw", "channels_last"], default="nchw")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--latency-runs", type=int, default=20)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--steps-per-window", type=int, default=4)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--compile", action="store_true", help="train through torch.compile (inductor)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        side = Side(a)
    except Exception as error:  # torch.compile needs a C++ compiler and Python's headers: say which part failed
        if not a.compile:
            raise
        print(f"error: {type(error).__name__}: {error}".replace("\n", " ")[:400], flush=True)
        sys.exit(1)
    commands = {"train": side.train, "eval": side.eval, "latency": side.latency, "rss": side.rss}
    answer_windows(commands)


def answer_windows(commands):
    """Says ready, then answers mtmc-bench's window commands on stdin, one JSON line each, until quit."""
    print("ready", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command not in commands:
            print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
            continue
        print(json.dumps(commands[command]()), flush=True)


if __name__ == "__main__":
    main()
