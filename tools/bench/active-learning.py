#!/usr/bin/env python3
"""Learning curve of `suggest` against random choice, on Fashion-MNIST, driving the release `mtmc` binary.

    apt-get install -y dataset-fashion-mnist
    python3 tools/fashion-mnist-tree.py /tmp/fashion-mnist         # OUT/fashion/{train,val}/CLASS/*.png
    swift build -c release --product mtmc
    python3 tools/bench/active-learning.py /tmp/fashion-mnist/fashion /tmp/al-work [--seeds 1 2 3] [--epochs 6]

Per seed: 20 labelled training images per class to start; a pool of 5,000 other training images, unlabelled (a
folder outside the tree); val: 2,000 test images, the same for every seed. Each round adds labels until +100,
+200, +400 and +800: `suggest` strategy labels what `suggest pool N` chose with the model of the previous round;
`random` labels N images drawn at random from what is left of the same pool. Both file the images with `label`
(their true class, which this script knows) and train a new `model tiny` from scratch with the same recipe
(input 32, fixed epochs, seed). Prints the val top-1 table (mean ± sample standard deviation over seeds) and writes
results.json in the work folder.
"""
import argparse, json, os, random, re, shutil, statistics, subprocess, sys, time

CLASSES = ["Ankle-boot", "Bag", "Coat", "Dress", "Pullover", "Sandal", "Shirt", "Sneaker", "T-shirt", "Trouser"]


def listing(root, split):
    return [(c, os.path.join(root, split, c, f)) for c in CLASSES for f in sorted(os.listdir(os.path.join(root, split, c)))]


def link(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.link(src, dst)


def settings(args, seed):
    """Set before `load`, so that the cache is made for the input size."""
    return [f"set threads {args.threads}", "set size 32", f"set seed {seed}", "set batch 32", f"set epochs {args.epochs}", "set validate 0",
            f"set lr {args.lr}", f"set augment {args.augment}"]


def run_session(args, folder, lines):
    script = os.path.join(folder, "round.mtmc")
    with open(script, "w") as f:
        f.write("\n".join(lines) + "\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
    start = time.time()
    done = subprocess.run([args.mtmc, script], cwd=folder, capture_output=True, text=True, env=env)
    with open(os.path.join(folder, "round.log"), "a") as f:
        f.write(done.stdout + done.stderr)
    if done.returncode != 0:
        sys.exit(f"mtmc failed in {folder} (see round.log):\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    return done.stdout, time.time() - start


def top1(output):
    """Val top-1 from the last row of task fashion in `eval`'s table (task, images, loss, top-1, top-2)."""
    rows = re.findall(r"^\s*fashion\s+\d+\s+[0-9.]+\s+([0-9.]+)\s*%", output, re.M)
    if not rows:
        sys.exit("no top-1 in the eval output:\n" + output[-3000:])
    return float(rows[-1]) / 100


def suggested(output, count):
    """Pool file names from the table `suggest pool N` prints."""
    names = re.findall(r"^\s+\d+\s+pool/(\S+\.png)\s", output, re.M)
    if len(names) != count:
        sys.exit(f"suggest listed {len(names)} images, not {count}:\n" + output[-3000:])
    return names


def setup(args, seed, strategy, start, pool, val):
    folder = os.path.join(args.work, f"seed{seed}-{strategy}")
    shutil.rmtree(folder, ignore_errors=True)
    for c, path in start:
        link(path, os.path.join(folder, "tree", "fashion", "train", c, os.path.basename(path)))
    for c, path in val:
        link(path, os.path.join(folder, "tree", "fashion", "val", c, os.path.basename(path)))
    for name, (c, path) in pool.items():
        link(path, os.path.join(folder, "pool", name))
    return folder


def run_seed(args, seed, train, val):
    rng = random.Random(seed)
    by_class = {c: [p for cc, p in train if cc == c] for c in CLASSES}
    start = [(c, p) for c in CLASSES for p in rng.sample(by_class[c], args.start)]
    chosen = {p for _, p in start}
    rest = [(c, p) for c, p in train if p not in chosen]
    pool = {f"p{i:04d}.png": item for i, item in enumerate(rng.sample(rest, args.pool))}
    folders = {strategy: setup(args, seed, strategy, start, pool, val) for strategy in ["suggest", "random"]}
    results, pending = {"suggest": {}, "random": {}}, {"suggest": [], "random": []}
    labelled, pick = set(), random.Random(seed * 1000 + 7)
    # Round by round, both strategies in turn, so that a run stopped early still compares like with like.
    for r, total in enumerate([0] + args.added):
        step = args.added[r] - total if r < len(args.added) else 0
        for strategy in ["suggest", "random"]:
            if strategy == "random":
                labelled.update(pending["random"])
                following = pick.sample(sorted(set(pool) - labelled), step) if step else []
            if strategy == "random" and total == 0:
                # The same tree, recipe and seed as the suggest run's start: that model is not trained twice.
                results["random"][0], pending["random"] = results["suggest"][0], following
                continue
            lines = (settings(args, seed) + ["load tree"] + [f"label pool/{n} {pool[n][0]}" for n in pending[strategy]]
                     + ["model tiny", f"train {args.epochs}", "eval"] + ([f"suggest pool {step}"] if strategy == "suggest" and step else []))
            output, seconds = run_session(args, folders[strategy], lines)
            results[strategy][total] = top1(output)
            pending[strategy] = (suggested(output, step) if strategy == "suggest" else following) if step else []
            print(f"seed {seed} {strategy:7s} +{total:3d} labels: val top-1 {results[strategy][total]:.4f} ({seconds:.0f} s)", flush=True)
            save(args, seed, results)
    return results


def save(args, seed, results):
    """The seed's results so far (rewritten after every round, so a stopped run keeps what it measured)."""
    with open(os.path.join(args.work, f"results-seed{seed}.json"), "w") as f:
        json.dump({"seed": seed, "epochs": args.epochs, "results": results}, f, indent=1)


def table(all_results, args):
    """Val top-1 per labels added and strategy: mean ± sample standard deviation over the seeds that reached it (n)."""
    rows = ["| labels added | total labels | random | suggest |", "|---:|---:|---:|---:|"]
    for added in [0] + args.added:
        cells = []
        for strategy in ["random", "suggest"]:
            values = [r[strategy][added] * 100 for r in all_results if added in r.get(strategy, {})]
            if not values:
                cells.append("–")
                continue
            spread = statistics.stdev(values) if len(values) > 1 else 0.0
            cells.append(f"{statistics.mean(values):.1f} ± {spread:.1f} (n={len(values)})")
        rows.append(f"| +{added} | {10 * args.start + added} | {cells[0]} | {cells[1]} |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", help="the fashion task folder: TREE/{train,val}/CLASS/*.png")
    parser.add_argument("work", help="a folder for the trees, pools and logs (emptied per seed and strategy)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--added", type=int, nargs="+", default=[100, 200, 400, 800], help="labels added by the end of each round")
    parser.add_argument("--start", type=int, default=20, help="labelled images per class to start from")
    parser.add_argument("--pool", type=int, default=5000)
    parser.add_argument("--val", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", default="0.05")
    parser.add_argument("--augment", default="light")
    parser.add_argument("--threads", type=int, default=2, help="OpenBLAS and mtmc threads of each session")
    parser.add_argument("--table-only", action="store_true", help="print the table of the results already in WORK")
    parser.add_argument("--mtmc", default=os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "mtmc"))
    args = parser.parse_args()
    args.mtmc = os.path.abspath(args.mtmc)
    train, test = listing(args.tree, "train"), listing(args.tree, "val")
    val = random.Random(0).sample(test, args.val)
    os.makedirs(args.work, exist_ok=True)
    for seed in [] if args.table_only else args.seeds:
        run_seed(args, seed, train, val)
    # Every seed's results in the work folder, so that seeds run as separate processes make one table.
    all_results = []
    for name in sorted(os.listdir(args.work)):
        if re.fullmatch(r"results-seed\d+\.json", name):
            with open(os.path.join(args.work, name)) as f:
                loaded = json.load(f)["results"]
            all_results.append({strategy: {int(k): v for k, v in curve.items()} for strategy, curve in loaded.items()})
    print(f"{len(all_results)} seeds")
    print(table(all_results, args))


if __name__ == "__main__":
    main()
