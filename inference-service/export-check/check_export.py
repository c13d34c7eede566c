#!/usr/bin/env python3
"""Loads a model exported by inference-service (/api/v1/model/export?format=npz|safetensors) with NumPy
alone and scores the 10,000 Fashion-MNIST test images with it: p = softmax(x / 255 @ W + b).

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
    if path.endswith(".npz"):
        z = np.load(path, allow_pickle=False)
        return z["W"], z["b"], json.loads(str(z["metadata"]))
    with open(path, "rb") as f:
        data = f.read()
    n, = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    tensors = {}
    for name in ("W", "b"):
        t = header[name]
        assert t["dtype"] == "F32", t
        begin, end = t["data_offsets"]
        tensors[name] = np.frombuffer(body[begin:end], dtype="<f4").reshape(t["shape"])
    return tensors["W"], tensors["b"], header.get("__metadata__", {})


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    W, b, meta = load(sys.argv[1])
    assert W.shape == (784, 10) and W.dtype == np.float32, (W.shape, W.dtype)
    assert b.shape == (10,) and b.dtype == np.float32, (b.shape, b.dtype)
    x = idx(find(sys.argv[2], "t10k-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    y = idx(find(sys.argv[2], "t10k-labels-idx1-ubyte"))
    logits = x @ W + b
    accuracy = float((logits.argmax(axis=1) == y).mean())
    print(f"{os.path.basename(sys.argv[1])}: version {meta.get('version')} epoch {meta.get('epoch')}: "
          f"numpy test accuracy {accuracy:.4f} on {len(y)} images (snapshot says {meta.get('test_accuracy')})")
    if len(sys.argv) >= 4:
        expected = float(sys.argv[3])
        tolerance = float(sys.argv[4]) if len(sys.argv) == 5 else 0.0
        if abs(accuracy - expected) > tolerance + 1e-9:
            sys.exit(f"check_export: accuracy {accuracy:.4f} != expected {expected:.4f} (tolerance {tolerance})")


if __name__ == "__main__":
    main()
