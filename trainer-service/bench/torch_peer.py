#!/usr/bin/env python3
"""The in-memory PyTorch peer of the trainer: each model family as a PyTorch user writes it, with the whole
Fashion-MNIST train split held as tensors, so an epoch is pure compute: shuffle, 235 minibatch steps of 256,
and the test accuracy on 10,000 images, as our epoch does. The strongest fair peer: no data loader, no Kafka,
no Python per-sample work. X = pixels / 255, seeded (the same numbers every run at one thread count).

The families are the ones of contracts/.../model/ModelFamily.java:
  softmax  W 784x10, b                                     (the seed; d2l ch.3)
  mlp      784-256-10, ReLU                                (d2l ch.4)
  cnn      conv1 5x5 pad 2 1->6, ReLU, max pool 2, conv2 5x5 6->16, ReLU, max pool 2, flatten,
           400->120 ReLU, 120->84 ReLU, 84->10            (LeNet with ReLU and max pooling; the channel counts
                                                           are read from ModelFamily.java, --channels overrides)
Dense weights are nn.Linear's (out x in); the pipeline stores in x out, the transpose.

usage: torch_peer.py [DATA_DIR [EPOCHS [THREADS]]] [--families softmax,mlp,cnn] [--epochs N] [--threads N]
                     [--optimizer sgd|adam] [--lr X] [--momentum X] [--weight-decay X]
                     [--init d2l|default|xavier] [--schedule constant|cosine] [--seed N] [--channels C1,C2]
                     [--forward-seconds S]
Each family trains with its recipe (RECIPES below: the one the pipeline's trainer uses) unless an option overrides
it. Without options: the seed's softmax (SGD lr 0.1, W ~ N(0, 0.01), b = 0), 10 epochs, one thread (what
compare-torch.sh runs).

Prints per family one line per epoch,
  peer FAMILY epoch  E  train loss L  train acc A  test acc T  S s
then "peer FAMILY median epoch seconds: S" and
  peer FAMILY single-image forward: R images/s (N calls, one image each, no_grad)
"""
import argparse
import gzip
import math
import os
import re
import statistics
import struct
import sys
import time

# numpy and torch are imported in main(), after the thread count is known: OpenBLAS (Debian's torch does its matrix
# products through libblas.so.3) reads OPENBLAS_NUM_THREADS when it loads.
np = torch = nn = None

FAMILIES = ("softmax", "mlp", "cnn")

# Each family's training recipe, as the pipeline's trainer trains it (trainer-service's Recipe; its README has the
# measurements).
# init: d2l = weights N(0, 0.01), biases 0; default = PyTorch's Kaiming-uniform (weights and biases
# U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
# schedule: constant, or cosine = the learning rate falls from lr to 0 along the run's steps.
RECIPES = {
    "softmax": dict(optimizer="sgd", lr=0.1, momentum=0.0, weight_decay=0.0, init="d2l", schedule="constant",
                    channels=None),
    "mlp": dict(optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=0.0, init="d2l", schedule="cosine",
                channels=None),
    "cnn": dict(optimizer="adam", lr=0.005, momentum=0.0, weight_decay=0.0, init="default", schedule="cosine",
                channels=None),
}
MODEL_FAMILY_JAVA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                 "../../contracts/src/main/java/dev/fmnist/contracts/model/ModelFamily.java")


def contract_channels():
    """The cnn's conv channels as contracts' ModelFamily defines them (so the peer follows a change there)."""
    try:
        with open(MODEL_FAMILY_JAVA) as f:
            java = f.read()
    except OSError:
        return "6,16"
    convs = re.findall(r'Layer\.Conv\("conv(\d)\.weight",\s*"conv\d\.bias",\s*(\d+),\s*(\d+)', java)
    out = {n: c for n, _, c in convs}
    return f"{out['1']},{out['2']}" if "1" in out and "2" in out else "6,16"


def idx(data_dir, name):
    for candidate in (name + ".gz", name):
        path = os.path.join(data_dir, candidate)
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = struct.unpack(">I", data[:4])[0] & 0xFF
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    sys.exit(f"torch_peer: {name} not found in {data_dir}")


def blas():
    """The BLAS library this process loaded (Debian: the libblas.so.3 alternative; the reference one is ~20x slower)."""
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line and line.split()[-1].startswith("/")}
    return ", ".join(sorted(os.path.realpath(lib) for lib in libs)) or "none loaded"


def build(family, channels):
    c1, c2 = channels
    if family == "softmax":
        class SeedSoftmax(nn.Module):
            """The seed's model as d2l writes it from scratch (the peer compare-torch.sh has always run): W 784x10 in
            the pipeline's in x out layout drawn from N(0, 0.01) right after the seed, b = 0, logits = X W + b."""

            def __init__(self):
                super().__init__()
                self.W = nn.Parameter(torch.normal(0, 0.01, size=(784, 10)))
                self.b = nn.Parameter(torch.zeros(10))

            def forward(self, x):
                return x.reshape(x.shape[0], 784) @ self.W + self.b

        return SeedSoftmax()
    if family == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    if family == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, c1, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(c2 * 25, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    raise ValueError(family)


def initialize(model, init):
    """d2l: weights N(0, 0.01), biases 0. default: PyTorch's own (Kaiming uniform with a = sqrt(5), i.e. weights and
    biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))), left as built. xavier: Glorot uniform weights, biases 0."""
    if init == "default":
        return
    if hasattr(model, "W"):  # the seed's softmax: drawn as the seed draws it
        if init != "d2l":
            sys.exit("torch_peer: the softmax family takes only the d2l init")
        return
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            if init == "d2l":
                nn.init.normal_(m.weight, 0.0, 0.01)
            else:
                nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def multiply_adds(model):
    """Multiply-adds of one image's forward pass through the Linear and Conv2d layers."""
    total, x = 0, torch.zeros(1, 1, 28, 28)
    if not isinstance(model, nn.Sequential):
        return sum(p.numel() for p in model.parameters() if p.dim() == 2)
    with torch.no_grad():
        for m in model:
            y = m(x)
            if isinstance(m, nn.Linear):
                total += m.in_features * m.out_features
            elif isinstance(m, nn.Conv2d):
                total += y.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1]
            x = y
    return total


def recipe(family, args):
    """The family's recipe with the options given on the command line in its place."""
    r = dict(RECIPES[family])
    for key in r:
        if getattr(args, key) is not None:
            r[key] = getattr(args, key)
    r["channels"] = tuple(int(c) for c in (r["channels"] or contract_channels()).split(","))
    if args.lr is None and args.optimizer is not None and args.optimizer != RECIPES[family]["optimizer"]:
        r["lr"] = 0.1 if r["optimizer"] == "sgd" else 0.001
    return argparse.Namespace(**r)


def train(family, args, data):
    x_train, y_train, x_test, y_test = data
    r = recipe(family, args)
    torch.manual_seed(args.seed)
    model = build(family, r.channels)
    initialize(model, r.init)
    params = sum(p.numel() for p in model.parameters())
    if r.optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=r.lr, momentum=r.momentum, weight_decay=r.weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=r.lr, weight_decay=r.weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    steps = (x_train.shape[0] + args.batch - 1) // args.batch
    # cosine: the learning rate falls from lr to 0 along the run's steps (DJL: CosineTracker, maxUpdates = all steps)
    schedule = (torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs * steps)
                if r.schedule == "cosine" else None)
    width = f" (conv channels {r.channels[0]}, {r.channels[1]})" if family == "cnn" else ""
    print(f"peer {family}{width}: {params} parameters, {multiply_adds(model)} multiply-adds per image, "
          f"{r.optimizer} lr {r.lr} momentum {r.momentum if r.optimizer == 'sgd' else '-'} "
          f"weight decay {r.weight_decay}, init {r.init}, schedule {r.schedule}, batch {args.batch}, seed {args.seed}, "
          f"threads {torch.get_num_threads()}", flush=True)
    n = x_train.shape[0]
    times = []
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n)
        loss_sum, correct = 0.0, 0
        for i in range(0, n, args.batch):
            rows = order[i:i + args.batch]
            X, y = x_train[rows], y_train[rows]
            logits = model(X)
            loss = loss_fn(logits, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if schedule is not None:
                schedule.step()
            with torch.no_grad():
                loss_sum += float(loss) * len(y)
                correct += int((logits.argmax(1) == y).sum())
        model.eval()
        with torch.no_grad():
            test_acc = float(sum(int((model(x_test[i:i + 1000]).argmax(1) == y_test[i:i + 1000]).sum())
                                 for i in range(0, len(y_test), 1000))) / len(y_test)
        seconds = time.perf_counter() - start
        times.append(seconds)
        print(f"peer {family} epoch {epoch:2d}  train loss {loss_sum / n:.4f}  train acc {correct / n:.4f}  "
              f"test acc {test_acc:.4f}  {seconds:.3f} s", flush=True)
        if not math.isfinite(loss_sum):
            break
    print(f"peer {family} median epoch seconds: {statistics.median(times):.4f}", flush=True)
    return model


def forward_rate(family, model, x_test, seconds):
    """Single-image forward passes a second: one image per call, no_grad, the image already a float tensor."""
    model.eval()
    calls, i, n = 0, 0, x_test.shape[0]
    with torch.no_grad():
        for j in range(200):  # warm-up
            model(x_test[j:j + 1])
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for _ in range(100):
                model(x_test[i:i + 1])
                i = (i + 1) % n
            calls += 100
            now = time.perf_counter()
            if now >= deadline:
                break
    rate = calls / (now - start)
    print(f"peer {family} single-image forward: {rate:.0f} images/s ({calls} calls, one image each, no_grad)",
          flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data_dir", nargs="?", default=os.environ.get(
        "FMNIST_DATA_DIR", os.path.join(os.path.dirname(__file__), "../../../shared/data/fashion-mnist")))
    p.add_argument("epochs_pos", nargs="?", type=int, metavar="EPOCHS")
    p.add_argument("threads_pos", nargs="?", type=int, metavar="THREADS")
    p.add_argument("--families", default="softmax", help="comma list of softmax, mlp, cnn")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--threads", type=int, default=None)
    # None: the family's recipe
    p.add_argument("--optimizer", choices=("sgd", "adam"), default=None)
    p.add_argument("--lr", type=float, default=None,
                   help="default: the recipe's; with another optimizer than the recipe's 0.1 for sgd, 0.001 for adam")
    p.add_argument("--momentum", type=float, default=None, help="sgd's momentum")
    p.add_argument("--weight-decay", type=float, default=None)
    p.add_argument("--init", choices=("d2l", "default", "xavier"), default=None,
                   help="d2l: N(0, 0.01) weights, zero biases; default: PyTorch's; xavier: Glorot uniform, zero biases")
    p.add_argument("--schedule", choices=("constant", "cosine"), default=None,
                   help="cosine: the learning rate falls from --lr to 0 over the run's steps")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--channels", default=None, help="cnn's conv1,conv2 channels (the contract: 6,16)")
    p.add_argument("--forward-seconds", type=float, default=0.0,
                   help="measure the single-image forward rate for this long after training (0: skip)")
    args = p.parse_args()
    args.epochs = args.epochs or args.epochs_pos or 10
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    for f in families:
        if f not in FAMILIES:
            sys.exit(f"torch_peer: unknown family '{f}': give one of {', '.join(FAMILIES)}")
    threads = args.threads or args.threads_pos or 1
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(threads)
    global np, torch, nn
    import numpy as np
    import torch
    from torch import nn
    torch.set_num_threads(threads)

    d = args.data_dir
    x_train = torch.from_numpy(idx(d, "train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    y_train = torch.from_numpy(idx(d, "train-labels-idx1-ubyte").astype(np.int64))
    x_test = torch.from_numpy(idx(d, "t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
    y_test = torch.from_numpy(idx(d, "t10k-labels-idx1-ubyte").astype(np.int64))
    print(f"peer: torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas()}, "
          f"load average {' '.join(open('/proc/loadavg').read().split()[:3])} ({os.cpu_count()} cores)", flush=True)
    for family in families:
        model = train(family, args, (x_train, y_train, x_test, y_test))
        if args.forward_seconds > 0:
            forward_rate(family, model, x_test, args.forward_seconds)


if __name__ == "__main__":
    main()
