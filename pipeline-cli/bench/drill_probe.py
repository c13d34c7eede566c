#!/usr/bin/env python3
"""The HTTP side of promotion-drill.sh: each command prints its figures on stdout.

  accuracy                      -> "VERSION ACCURACY": the default model over REST on the first 2,000 test images
                                   (two labelled JSON batches of 1,000, as a client with ground truth sends them)
  poison N PER_ZIP              uploads training images 0..N-1 labelled (true + 3) mod 10 as zips of 28x28 PNGs
  diverge                       an admin run of one more epoch at learning rate 1000; waits for its snapshot
  ordinary K                    the test split K times, shuffled (seed 7), as unlabelled JSON batches of 1,000
  inverted N CHUNK BROKER       dark-on-light test images (255 - pixel) as raw bodies, CHUNK at a time; prints how
                                many were sent when a new drift alert appeared on fmnist.alerts, or "none"
Ports and tokens come from the environment promotion-drill.sh sets.
"""
import gzip, http.client, io, json, os, random, struct, subprocess, sys, time, zipfile, zlib

DATA = os.environ["FMNIST_DATA_DIR"]
INFERENCE = int(os.environ["FMNIST_INFERENCE_PORT"])
INGEST = int(os.environ["FMNIST_INGEST_PORT"])
TRAINER = int(os.environ["FMNIST_TRAINER_PORT"])


def idx(name, header):
    return gzip.open(os.path.join(DATA, name)).read()[header:]


def request(port, method, path, body=None, headers=None, timeout=120):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def classify_batch(images, labels=None):
    body = {"images": images}
    if labels is not None:
        body["labels"] = labels
    status, data = request(INFERENCE, "POST", "/api/v1/classify", json.dumps(body).encode(),
                           {"Content-Type": "application/json"})
    if status != 200:
        sys.exit("classify answered %d: %s" % (status, data[:300]))
    return json.loads(data)["predictions"]


def accuracy():
    px, lb = idx("t10k-images-idx3-ubyte.gz", 16), idx("t10k-labels-idx1-ubyte.gz", 8)
    right, versions = 0, set()
    for start in (0, 1000):
        imgs = [list(px[i * 784:(i + 1) * 784]) for i in range(start, start + 1000)]
        labels = [lb[i] for i in range(start, start + 1000)]
        for p, y in zip(classify_batch(imgs, labels), labels):
            right += p["classIndex"] == y
            versions.add(p["modelVersion"])
    print(max(versions), "%.4f" % (right / 2000))


def png(pixels):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    rows = b"".join(b"\x00" + pixels[r * 28:(r + 1) * 28] for r in range(28))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def poison(n, per_zip):
    px, lb = idx("train-images-idx3-ubyte.gz", 16), idx("train-labels-idx1-ubyte.gz", 8)
    token = os.environ["DRILL_WRITER"]
    for start in range(0, n, per_zip):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for i in range(start, min(n, start + per_zip)):
                z.writestr("%d/%05d.png" % ((lb[i] + 3) % 10, i), png(px[i * 784:(i + 1) * 784]))
        t = time.time()
        status, data = request(INGEST, "POST", "/api/v1/images/bulk", buf.getvalue(),
                               {"Content-Type": "application/zip", "Authorization": "Bearer " + token}, timeout=300)
        if status != 200:
            sys.exit("bulk upload answered %d: %s" % (status, data[:300]))
        print("zip %d-%d: %d images published in %.1f s" % (start, min(n, start + per_zip) - 1,
                                                             json.loads(data)["count"], time.time() - t))


def training():
    status, data = request(TRAINER, "GET", "/api/v1/training")
    return json.loads(data)


def diverge():
    admin = {"Authorization": "Bearer " + os.environ["DRILL_ADMIN"], "Content-Type": "application/json"}
    before = training()
    if before["state"] in ("TRAINING", "CONTINUOUS"):
        request(TRAINER, "DELETE", "/api/v1/training", headers=admin)
    target = training()["epoch"] + 1
    status, data = request(TRAINER, "POST", "/api/v1/training",
                           json.dumps({"epochs": target, "learningRate": 1000}).encode(), admin)
    print("POST /api/v1/training {epochs: %d, learningRate: 1000}: %d" % (target, status))
    if status != 202:
        sys.exit("the diverged run was not started: %s" % data[:300])
    deadline = time.time() + 300
    while time.time() < deadline:
        t = training()
        if t["epoch"] >= target or t["state"] == "FAILED":
            break
        time.sleep(1)
    print("trainer: %s, epoch %d, model v%s: %s" % (t["state"], t["epoch"], t.get("modelVersion"), t.get("detail")))
    time.sleep(5)  # inference reads the snapshot and decides


def ordinary(k):
    px = idx("t10k-images-idx3-ubyte.gz", 16)
    order = [i for _ in range(k) for i in range(10000)]
    random.Random(7).shuffle(order)
    t = time.time()
    for start in range(0, len(order), 1000):
        classify_batch([list(px[i * 784:(i + 1) * 784]) for i in order[start:start + 1000]])
    print("%d ordinary test images in %.1f s" % (len(order), time.time() - t))


def drift_alerts(broker):
    out = subprocess.run(["kcat", "-b", broker, "-C", "-t", "fmnist.alerts", "-o", "beginning", "-e", "-q"],
                         capture_output=True, text=True, timeout=60).stdout
    # episode starts only: a drift alert with the figure "cleared" (1) reports an episode's end
    return sum(1 for line in out.splitlines() if '"kind":"drift"' in line and '"cleared":' not in line)


def inverted(n, chunk, broker):
    px = idx("t10k-images-idx3-ubyte.gz", 16)
    before = drift_alerts(broker)
    c = http.client.HTTPConnection("127.0.0.1", INFERENCE, timeout=30)
    for sent in range(0, n, chunk):
        for i in range(sent, sent + chunk):
            c.request("POST", "/api/v1/classify", body=bytes(255 - b for b in px[i * 784:(i + 1) * 784]),
                      headers={"Content-Type": "application/octet-stream"})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                sys.exit("raw classify answered %d" % r.status)
        time.sleep(0.5)  # the alert goes out on the publisher's own thread
        if drift_alerts(broker) > before:
            print(sent + chunk)
            return
    print("none")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"accuracy": lambda: accuracy(), "poison": lambda: poison(int(args[0]), int(args[1])),
     "diverge": lambda: diverge(), "ordinary": lambda: ordinary(int(args[0])),
     "inverted": lambda: inverted(int(args[0]), int(args[1]), args[2])}[cmd]()
