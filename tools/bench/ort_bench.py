#!/usr/bin/env python3
"""The engine benchmark's deployment peer: the PyTorch reference net (tiny or resnet18, tools/reference) in
evaluation mode, exported with torch.onnx.export (one graph per task head, batch dimension dynamic) and run
by ONNX Runtime on the CPU with the same threads (intra-op --threads, inter-op 1, every graph optimisation),
driven window by window over standard input by `mtmc-bench` like engine_bench.py.

After exporting and one warm-up run per graph and batch size it prints `ready` (or `error: REASON` and exits
non-zero); then each input line is a command and each answer one JSON list: `eval` (images/s of one window:
one batch per task), `latency` (ms of each of --latency-runs batch-1 runs, after one untimed run), `quit`.
It trains nothing: mtmc-bench sends it no `train` or `rss`.
"""
import argparse, json, os, sys, tempfile, time, warnings


def export(a, folder):
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
    from backbones import MODELS

    class OneTask(torch.nn.Module):
        """The reference net with its task fixed, so that the exported graph has one input."""

        def __init__(self, net, task):
            super().__init__()
            self.net, self.task = net, task

        def forward(self, x):
            return self.net(x, self.task)

    # The TorchScript exporter is the one that takes the net as it is; its deprecation notice is noise here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    torch.manual_seed(0)
    net = MODELS[a.model]([10, 6]).eval()
    example = torch.randn(2, 3, a.size, a.size)
    paths = []
    for task in range(2):
        path = os.path.join(folder, f"{a.model}-{a.size}-task{task}.onnx")
        with torch.no_grad():
            torch.onnx.export(OneTask(net, task), (example,), path, input_names=["image"], output_names=["logits"],
                              dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17, dynamo=False)
        paths.append(path)
    return paths


def session(path, threads):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["tiny", "resnet18", "darknet"], default="tiny")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--latency-runs", type=int, default=20)
    a, _ = p.parse_known_args()  # engine_bench.py's other options (steps, device) mean nothing here
    try:
        import numpy as np
        import torch
        torch.set_num_threads(a.threads)
        with tempfile.TemporaryDirectory() as folder:
            sessions = [session(path, a.threads) for path in export(a, folder)]
    except Exception as error:  # the reason goes where the table is printed
        print(f"error: {type(error).__name__}: {error}".replace("\n", " "), flush=True)
        sys.exit(1)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((a.batch, 3, a.size, a.size), dtype=np.float32)
    one = rng.standard_normal((1, 3, a.size, a.size), dtype=np.float32)
    for s in sessions:
        s.run(None, {"image": x})
        s.run(None, {"image": one})

    def timed(body):
        start = time.perf_counter()
        body()
        return time.perf_counter() - start

    def evaluate():
        return [2 * a.batch / timed(lambda: [s.run(None, {"image": x}) for s in sessions])]

    def latency():
        sessions[0].run(None, {"image": one})
        return [timed(lambda: sessions[0].run(None, {"image": one})) * 1000 for _ in range(a.latency_runs)]

    commands = {"eval": evaluate, "latency": latency}
    from engine_bench import answer_windows  # the same pipe protocol as the PyTorch peer
    answer_windows(commands)


if __name__ == "__main__":
    main()
