#!/usr/bin/python3
"""Train the crowd density model and write models/crowd_density.onnx (+ .sha256).

    train_density.py [--shared ../shared] [--out models/crowd_density.onnx] [--epochs 6] [--seed 1]
    train_density.py --folds 5 --fold-dir DIR     Beijing BRT cross-validation (bench/crowd-cv.sh scores it)

With --folds, the BRT training frames are split by camera and day (a frame's camera and day are in its name,
1-20170506122340 = camera 1 on 2017-05-06), never by single frames: neighbouring frames of one camera are nearly
the same picture, so a random split would score the head on pictures it has all but seen. Each (camera, day) group
goes whole to the fold with the fewest frames so far, largest groups first. For each fold the head is trained
exactly as the shipped one, on ShanghaiTech B train and the other folds, and written to DIR/fold<k>.onnx with the
fold's held-out frames in DIR/fold<k>.txt; the backbone features are computed once for all folds.

Design (models/README.md says why): the shipped detector's own backbone, frozen, up to its stride-8 head features
(the class branch's and the box branch's last 64-channel maps, ONNX values 1044 and 1061 of
yolox_nano_640x384.onnx); each cell of those maps described by its 128 features and their means over 3x3 and 7x7
cells (context: how crowded the neighbourhood is); a small per-cell head (1x1 convolutions 384-128-32-1 with
ReLUs) regresses the number of heads in the cell. The ground-truth map puts each annotated head in its stride-8
cell and blurs it with a fixed Gaussian of one cell (sigma 8 px): at stride 8 the geometry-adaptive kernels of
pixel-level methods would mostly land in one cell anyway, and a fixed one keeps every map's sum equal to its count.

Training data: ShanghaiTech Part B train and Beijing BRT train from ../shared/data/crowd (never a test split). The
backbone features are computed once (OpenCV DNN, Debian's python3-opencv) on each picture and its mirror image;
the head is trained with Adam on mini-batches of cells (numpy), fixed seed. The written graph is the backbone cut at
those values with the pooling and the head appended, so the agent runs one ONNX Runtime session; the input size is
left free (fully convolutional), padded to a multiple of 32 by the caller.
"""
import argparse
import csv
import hashlib
import os
import sys
import time

import cv2
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FEATURES = ["1044", "1061"]
STRIDE = 8
SCALE = 100.0  # targets are trained x100: a cell holds 0.001-1 heads, which Adam's steps suit badly


def progress(what, i, n, started):
    done = (i + 1) / n
    bar = "#" * int(done * 30)
    left = (time.time() - started) / done * (1 - done)
    print(f"\r{what:<24} [{bar:<30}] {i + 1}/{n}  {left:5.0f} s left", end="" if i + 1 < n else "\n", file=sys.stderr, flush=True)


def trunk(detector):
    model = onnx.load(detector)
    sub = onnx.utils.Extractor(model).extract_model(["images"], FEATURES)
    dims = sub.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "H", "W"
    for out in sub.graph.output:
        for k, d in enumerate(out.type.tensor_type.shape.dim):
            if k >= 2:
                d.dim_param = f"f{k}"
    del sub.graph.value_info[:]
    return sub


def read_set(root):
    rows = list(csv.DictReader(open(os.path.join(root, "counts.csv"))))
    points = {}
    for r in csv.DictReader(open(os.path.join(root, "points.csv"))):
        points.setdefault(r["image"], []).append((float(r["x"]), float(r["y"])))
    images = os.path.join(root, "images") if os.path.isdir(os.path.join(root, "images")) else os.path.join(root, "frame")
    # width and height from counts.csv: the array of cells is sized before any picture is decoded.
    return [(os.path.join(images, r["image"]), np.array(points.get(r["image"], []), np.float32).reshape(-1, 2), int(r["width"]), int(r["height"]))
            for r in rows]


def features(net, img):
    h, w = img.shape[:2]
    canvas = np.full(((h + 31) // 32 * 32, (w + 31) // 32 * 32, 3), 114, np.uint8)
    canvas[:h, :w] = img
    net.setInput(np.ascontiguousarray(canvas.astype(np.float32).transpose(2, 0, 1)[None]))
    return np.concatenate([x[0] for x in net.forward(FEATURES)], 0)


def pool(hw, k):
    """ONNX AveragePool with count_include_pad=0: the mean over the cells inside the map."""
    c = hw.shape[2]
    s = np.stack([cv2.boxFilter(hw[:, :, i], -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT) for i in range(c)], 2)
    n = cv2.boxFilter(np.ones(hw.shape[:2], np.float32), -1, (k, k), normalize=False, borderType=cv2.BORDER_CONSTANT)
    return s / n[:, :, None]


def design(f):
    hw = np.ascontiguousarray(f.astype(np.float32).transpose(1, 2, 0))
    h, w, _ = hw.shape
    return np.concatenate([hw, pool(hw, 3), pool(hw, 7)], 2).reshape(h * w, -1), (h, w)


def target(points, h, w, width, height):
    d = np.zeros((h, w), np.float32)
    for x, y in points:
        if 0 <= x < width and 0 <= y < height:
            d[min(int(y // STRIDE), h - 1), min(int(x // STRIDE), w - 1)] += 1
    return cv2.GaussianBlur(d, (0, 0), 1.0, borderType=cv2.BORDER_CONSTANT).reshape(-1)


def build(sets, net):
    pictures = [p for s in sets for p in s]
    # One array filled in place: the cells of every picture and its mirror, 384 half floats each (about 12 GB for
    # the two training sets), so no second copy is ever made by a concatenation.
    total = 2 * sum(((h + 31) // 32 * 32 // STRIDE) * ((w + 31) // 32 * 32 // STRIDE) for _, _, w, h in pictures)
    x = np.empty((total, 3 * 128), np.float16)
    y = np.empty(total, np.float32)
    at = 0
    spans = []  # per picture: the first and the end cell of it and its mirror
    started = time.time()
    for i, (path, pts, width, height) in enumerate(pictures):
        img = cv2.imread(path)
        if img is None:
            sys.exit(f"train_density.py: {path}: not an image OpenCV can read")
        if img.shape[:2] != (height, width):
            sys.exit(f"train_density.py: {path} is {img.shape[1]}x{img.shape[0]}, counts.csv says {width}x{height}")
        first = at
        for flip in (False, True):
            view = np.ascontiguousarray(img[:, ::-1]) if flip else img
            p = pts.copy()
            if flip and len(p):
                p[:, 0] = width - 1 - p[:, 0]
            cells, (h, w) = design(features(net, view))
            x[at:at + len(cells)] = cells
            y[at:at + len(cells)] = target(p, h, w, width, height) * SCALE
            at += len(cells)
        spans.append((first, at))
        progress("features", i, len(pictures), started)
    return x, y, spans


def train(x, y, epochs, seed, rows=None):
    """Trains on the cells listed in rows (all of them when None)."""
    rng = np.random.default_rng(seed)
    rows = np.arange(len(x)) if rows is None else rows
    sample = x[rows[:: max(1, len(rows) // 200_000)]].astype(np.float32)
    mu, sd = sample.mean(0), sample.std(0) + 1e-3

    def layer(a, b):
        return (rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32), np.zeros(b, np.float32)

    params = [*layer(x.shape[1], 128), *layer(128, 32), *layer(32, 1)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    batch, step = 8192, 0
    for epoch in range(epochs):
        # Halved every two epochs: the count on held-out pictures stopped improving at a fixed rate after two.
        lr = 1e-3 * 0.5 ** (epoch // 2)
        order = rows[rng.permutation(len(rows))]
        started = time.time()
        steps = range(0, len(rows), batch)
        for n, s in enumerate(steps):
            j = np.sort(order[s:s + batch])
            xb = (x[j].astype(np.float32) - mu) / sd
            w1, b1, w2, b2, w3, b3 = params
            h1 = np.maximum(xb @ w1 + b1, 0)
            h2 = np.maximum(h1 @ w2 + b2, 0)
            e = ((h2 @ w3 + b3)[:, 0] - y[j])[:, None] * (2 / len(j))
            d2 = (e @ w3.T) * (h2 > 0)
            d1 = (d2 @ w2.T) * (h1 > 0)
            grads = [xb.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ e, e.sum(0)]
            step += 1
            for k, (p, g) in enumerate(zip(params, grads)):
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                p -= lr * (m[k] / (1 - 0.9 ** step)) / (np.sqrt(v[k] / (1 - 0.999 ** step)) + 1e-8)
            if n % 20 == 0 or n == len(steps) - 1:
                progress(f"epoch {epoch + 1}/{epochs}", n, len(steps), started)
    return params, mu, sd


def conv(name, x, w, b, out):
    """A 1x1 convolution node with its weights (out-channels, in-channels, 1, 1)."""
    wi = numpy_helper.from_array(w.T.reshape(w.shape[1], w.shape[0], 1, 1).astype(np.float32), f"{name}.w")
    bi = numpy_helper.from_array(b.astype(np.float32), f"{name}.b")
    return helper.make_node("Conv", [x, wi.name, bi.name], [out], name=name, kernel_shape=[1, 1]), [wi, bi]


def folds(pictures, k):
    """Groups BRT frames by camera and day, then deals whole groups to k folds, largest first, to the smallest fold."""
    groups = {}
    for i, (path, _, _, _) in enumerate(pictures):
        name = os.path.basename(path)
        groups.setdefault(name[:10], []).append(i)  # "1-20170506": camera 1, 2017-05-06
    dealt = [[] for _ in range(k)]
    for key in sorted(groups, key=lambda g: (-len(groups[g]), g)):
        min(dealt, key=len).extend(groups[key])
    return dealt


def write(trunk_model, params, mu, sd, out):
    w1, b1, w2, b2, w3, b3 = params
    # The head goes on a copy: --folds writes several models from the one trunk.
    sub = onnx.ModelProto()
    sub.CopyFrom(trunk_model)
    # Standardisation folded into the first layer, the x100 of the targets into the last.
    w1f = w1 / sd[:, None]
    b1f = b1 - (mu / sd) @ w1
    w3f, b3f = w3 / SCALE, b3 / SCALE
    g = sub.graph
    nodes = [
        helper.make_node("Concat", FEATURES, ["density.f"], name="density.concat", axis=1),
        helper.make_node("AveragePool", ["density.f"], ["density.p3"], name="density.pool3", kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=0),
        helper.make_node("AveragePool", ["density.f"], ["density.p7"], name="density.pool7", kernel_shape=[7, 7], pads=[3, 3, 3, 3], count_include_pad=0),
        helper.make_node("Concat", ["density.f", "density.p3", "density.p7"], ["density.x"], name="density.context", axis=1),
    ]
    inits = []
    for name, x, w, b, y in [("density.h1", "density.x", w1f, b1f, "density.z1"), ("density.h2", "density.a1", w2, b2, "density.z2"), ("density.h3", "density.a2", w3f, b3f, "density.z3")]:
        node, i = conv(name, x, w, b, y)
        nodes.append(node)
        inits += i
        nodes.append(helper.make_node("Relu", [y], [y.replace("z", "a") if name != "density.h3" else "density"], name=name + ".relu"))
    g.node.extend(nodes)
    g.initializer.extend(inits)
    del g.output[:]
    g.output.extend([helper.make_tensor_value_info("density", TensorProto.FLOAT, [1, 1, "h", "w"])])
    sub.producer_name = "GateWatch models/train_density.py"
    onnx.checker.check_model(sub)
    onnx.save(sub, out)
    digest = hashlib.sha256(open(out, "rb").read()).hexdigest()
    with open(out + ".sha256", "w") as f:
        f.write(f"{digest}  {os.path.basename(out)}\n")
    print(f"{out}: {os.path.getsize(out)} bytes, sha256 {digest}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="train the crowd density head on the frozen YOLOX-Nano backbone")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"))
    ap.add_argument("--out", default=os.path.join(here, "crowd_density.onnx"))
    ap.add_argument("--detector", default=os.path.join(here, "yolox_nano_640x384.onnx"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--folds", type=int, default=0, help="Beijing BRT cross-validation by camera and day: this many folds")
    ap.add_argument("--fold-dir", help="where --folds writes fold<k>.onnx and fold<k>.txt")
    args = ap.parse_args()
    if args.folds and (args.folds < 2 or not args.fold_dir):
        sys.exit("train_density.py: --folds needs 2 or more folds and --fold-dir DIR")
    crowd = os.path.join(args.shared, "data", "crowd")
    sets = []
    for name in ("shanghaitech-partB-train", "beijing-brt-train"):
        root = os.path.join(crowd, name)
        if not os.path.isfile(os.path.join(root, "counts.csv")):
            sys.exit(f"train_density.py: {root}/counts.csv is missing (the training data is in ../shared/data/crowd)")
        sets.append(read_set(root))
    cv2.setNumThreads(os.cpu_count() or 1)
    todo = []
    if args.folds:
        os.makedirs(args.fold_dir, exist_ok=True)
        for k, held in enumerate(folds(sets[1], args.folds)):
            model = os.path.join(args.fold_dir, f"fold{k + 1}.onnx")
            listed = os.path.join(args.fold_dir, f"fold{k + 1}.txt")
            if os.path.isfile(model) and os.path.isfile(listed):
                print(f"fold {k + 1}/{args.folds}: {model} is there already (delete it to train it again)", file=sys.stderr)
            else:
                todo.append((k, held, model, listed))
        if not todo:
            return
    sub = trunk(args.detector)
    tmp = args.out + ".trunk.onnx"
    onnx.save(sub, tmp)
    try:
        net = cv2.dnn.readNetFromONNX(tmp)
    finally:
        os.remove(tmp)
    x, y, spans = build(sets, net)
    print(f"{len(x)} cells, {int(round(y.sum() / SCALE))} heads", file=sys.stderr)
    if not args.folds:
        params, mu, sd = train(x, y, args.epochs, args.seed)
        write(sub, params, mu, sd, args.out)
        return
    brt = sets[1]
    first = len(sets[0])  # BRT pictures follow ShanghaiTech's in spans
    for k, held, model, listed in todo:
        out = set(held)
        rows = np.concatenate([np.arange(*spans[i]) for i in range(len(spans)) if i < first or (i - first) not in out])
        print(f"fold {k + 1}/{args.folds}: {len(held)} BRT frames held out, {len(rows)} cells to train on", file=sys.stderr)
        params, mu, sd = train(x, y, args.epochs, args.seed, rows)
        write(sub, params, mu, sd, model)
        with open(listed, "w") as f:
            f.writelines(os.path.basename(brt[i][0]) + "\n" for i in sorted(held))


if __name__ == "__main__":
    main()
