#!/usr/bin/env python3
"""Loads a model exported by inference-service (/api/v1/model/export?format=npz|safetensors) with NumPy
alone and scores the 10,000 Fashion-MNIST test images with it, for any family: the metadata's "layers"
line says what to run ("dense W1 784x256, relu, dense W2 256x10"; "conv conv1.weight 1->6 k5 p2, relu,
maxpool 2, ..."), each layer's bias is the tensor stored right after its weight, x is the raw pixels / 255.
For the seed's softmax that is p = softmax(x / 255 @ W + b).

usage: check_export.py MODEL.npz|MODEL.safetensors DATA_DIR [EXPECTED_ACCURACY [TOLERANCE]]

Prints the accuracy and the model's metadata; with EXPECTED_ACCURACY, exits 1 unless the accuracy
is within TOLERANCE of it (default 0: the snapshot's test accuracy is the fraction of 10,000 correct,
computed in float32 like here, so it is reproduced exactly).
"""
import gzip
import json
import os
import struct
import sys

import numpy as np


def idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, name):
    for candidate in (name + ".gz", name):
        p = os.path.join(data_dir, candidate)
        if os.path.exists(p):
            return p
    sys.exit(f"check_export: {name} not found in {data_dir}")


def load(path):
    """The tensors by name, in storage order, and the metadata."""
    if path.endswith(".npz"):
        z = np.load(path, allow_pickle=False)
        names = [f for f in z.files if f != "metadata"]  # numpy lists the entries without ".npy"
        return {n: z[n] for n in names}, json.loads(str(z["metadata"]))
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    tensors = {}
    for name, t in header.items():  # json keeps the file's order: the architecture's
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", t
        begin, end = t["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(t["shape"])
    return tensors, header.get("__metadata__", {})


def conv2d(x, w, b, pad):
    """Stride-1 cross-correlation with zero padding, as PyTorch's Conv2d: x (n, c, h, w), w (o, c, k, k)."""
    k = w.shape[-1]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))  # (n, c, oh, ow, k, k)
    return np.einsum("ncyxij,ocij->noyx", windows, w, optimize=True) + b[None, :, None, None]


def forward(x, layers, tensors):
    """Logits of images x (n, 1, 28, 28), float32 on the 0-1 scale, through the layers line."""
    names = list(tensors)
    for spec in layers.split(", "):
        kind, *args = spec.split(" ")
        if kind in ("dense", "conv"):
            w = tensors[args[0]]
            b = tensors[names[names.index(args[0]) + 1]]
            if kind == "dense":
                x = x.reshape(len(x), -1) @ w + b
            else:
                x = conv2d(x, w, b, int(args[3][1:]))
        elif kind == "relu":
            x = np.maximum(x, 0)
        elif kind == "maxpool":
            s = int(args[0])
            n, c, h, w = x.shape
            x = x[:, :, :h // s * s, :w // s * s].reshape(n, c, h // s, s, w // s, s).max(axis=(3, 5))
        elif kind == "flatten":
            x = x.reshape(len(x), -1)
        else:
            sys.exit(f"check_export: unknown layer {spec!r}")
    return x


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    tensors, meta = load(sys.argv[1])
    layers = meta.get("layers", "dense W 784x10")  # exports before the families had no layers line
    for name, t in tensors.items():
        assert t.dtype == np.float32, (name, t.dtype)
    x = idx(find(sys.argv[2], "t10k-images-idx3-ubyte")).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    y = idx(find(sys.argv[2], "t10k-labels-idx1-ubyte"))
    logits = np.concatenate([forward(x[i:i + 500], layers, tensors) for i in range(0, len(x), 500)])
    assert logits.shape == (len(y), 10), logits.shape
    accuracy = float((logits.argmax(axis=1) == y).mean())
    print(f"{os.path.basename(sys.argv[1])}: {meta.get('family', 'softmax')} version {meta.get('version')} "
          f"epoch {meta.get('epoch')}: "
          f"numpy test accuracy {accuracy:.4f} on {len(y)} images (snapshot says {meta.get('test_accuracy')})")
    if len(sys.argv) >= 4:
        expected = float(sys.argv[3])
        tolerance = float(sys.argv[4]) if len(sys.argv) == 5 else 0.0
        if abs(accuracy - expected) > tolerance + 1e-9:
            sys.exit(f"check_export: accuracy {accuracy:.4f} != expected {expected:.4f} (tolerance {tolerance})")


if __name__ == "__main__":
    main()
