#!/usr/bin/env python3
"""Two builds of mtmc-bench side by side: each model's engine rows (training and batch-64 evaluation img/s,
batch-1 latency) from BEFORE and AFTER, each an `mtmc-bench engine --serve` process of its own, driven one
window at a time in turns (BEFORE, AFTER, then AFTER, BEFORE in the next window, so that a steady drift in the
machine's load favours neither). Each ratio is AFTER ÷ BEFORE, the median of the ratios of windows run next
to each other; for latency lower is better.

    python3 tools/bench/before_after.py BEFORE/mtmc-bench AFTER/mtmc-bench [--windows 7] [--models tiny:64,resnet18:64,resnet18:224,darknet:64]
"""
import argparse
import json
import statistics
import subprocess
import time

# Steps per training window and timed batch-1 runs per latency window, per model and size: each window a
# second or two on two cores.
WORK = {("tiny", 64): (4, 20), ("resnet18", 64): (2, 10), ("resnet18", 224): (1, 3), ("darknet", 64): (2, 10)}


class Side:
    def __init__(self, binary, model, size, steps, latency_runs, threads):
        self.process = subprocess.Popen(
            [binary, "engine", "--serve", "--model", model, "--size", str(size), "--threads", str(threads),
             "--steps", str(steps), "--latency-runs", str(latency_runs)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"{binary} did not start: {line or 'no answer'}")

    def request(self, command):
        time.sleep(0.1)  # the other side's worker threads fall asleep first
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self):
        self.process.stdin.write("quit\n")
        self.process.stdin.close()
        self.process.wait()


def compare(before, after, model, size, windows, threads):
    steps, runs = WORK.get((model, size), (2, 10))
    sides = [Side(before, model, size, steps, runs, threads), Side(after, model, size, steps, runs, threads)]
    figures = {phase: ([], []) for phase in ("train", "eval", "latency")}
    for window in range(windows):
        order = (0, 1) if window % 2 == 0 else (1, 0)
        for phase in figures:
            for side in order:
                answer = sides[side].request(phase)
                figures[phase][side].append(statistics.median(answer))
    for side in sides:
        side.close()
    rows = []
    for phase, (b, a) in figures.items():
        unit = "ms" if phase == "latency" else "img/s"
        what = {"train": "b64 train", "eval": "b64 eval", "latency": "batch-1 latency"}[phase]
        ratio = statistics.median(y / x for x, y in zip(b, a))
        rows.append(f"| {model} {size}×{size} {what} {unit} | {statistics.median(b):.4g} | {statistics.median(a):.4g} "
                    f"| {ratio:.3f} | {min(b):.4g}–{max(b):.4g} | {min(a):.4g}–{max(a):.4g} |")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--windows", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", default="tiny:64,resnet18:64,resnet18:224,darknet:64")
    options = parser.parse_args()
    print("| row | before | after | after / before | before spread | after spread |")
    print("|---|---|---|---|---|---|")
    for item in options.models.split(","):
        model, size = item.split(":")
        for row in compare(options.before, options.after, model, int(size), options.windows, options.threads):
            print(row, flush=True)


if __name__ == "__main__":
    main()
