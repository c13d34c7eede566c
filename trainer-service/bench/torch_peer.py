#!/usr/bin/env python3
"""The in-memory PyTorch peer of the trainer's epoch: the seed's model (W 784x10 ~ N(0, 0.01), b = 0,
softmax, cross-entropy, minibatch SGD lr 0.1, batch 256) with the whole Fashion-MNIST train split
held as tensors, so an epoch is pure compute: shuffle, 235 steps, and the test accuracy on 10,000
images, as our epoch does. The strongest fair peer: no data loader, no Kafka, no Python per-sample work.

usage: torch_peer.py DATA_DIR [EPOCHS] [THREADS]
Prints one line per epoch and a last line "peer median epoch seconds: X".
"""
import gzip
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch


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


def main():
    data_dir = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    torch.manual_seed(0)
    x_train = torch.from_numpy(idx(data_dir, "train-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y_train = torch.from_numpy(idx(data_dir, "train-labels-idx1-ubyte").astype(np.int64))
    x_test = torch.from_numpy(idx(data_dir, "t10k-images-idx3-ubyte").reshape(-1, 784).astype(np.float32) / 255)
    y_test = torch.from_numpy(idx(data_dir, "t10k-labels-idx1-ubyte").astype(np.int64))

    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)
    lr, batch = 0.1, 256
    n = x_train.shape[0]
    times = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(n)
        loss_sum, correct = 0.0, 0
        for i in range(0, n, batch):
            idx_b = order[i:i + batch]
            X, y = x_train[idx_b], y_train[idx_b]
            logits = X @ W + b
            # the seed's softmax and cross-entropy, written as d2l does (stable via logsumexp)
            log_p = logits - torch.logsumexp(logits, dim=1, keepdim=True)
            loss = -log_p[torch.arange(len(y)), y]
            loss.sum().backward()
            with torch.no_grad():
                W -= lr * W.grad / len(y)
                b -= lr * b.grad / len(y)
                W.grad.zero_()
                b.grad.zero_()
                loss_sum += float(loss.sum())
                correct += int((logits.argmax(1) == y).sum())
        with torch.no_grad():
            test_acc = float(((x_test @ W + b).argmax(1) == y_test).float().mean())
        seconds = time.perf_counter() - start
        times.append(seconds)
        print(f"peer epoch {epoch:2d}  train loss {loss_sum / n:.4f}  train acc {correct / n:.4f}  "
              f"test acc {test_acc:.4f}  {seconds:.3f} s", flush=True)
    print(f"peer median epoch seconds: {statistics.median(times):.4f}")


if __name__ == "__main__":
    main()
