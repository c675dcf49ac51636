#!/usr/bin/env python3
"""Check nanodet.onnx against the TFJS graph it was converted from.

Usage:
    verify_nanodet.py --tfjs nanodet.json --onnx nanodet.onnx --image frame.png
                      [--ort-dump DIR] [--min-score 0.3]

What it does
  1. Runs the *TFJS* graph with a small numpy executor that implements the TF
     ops (NHWC, TF semantics) directly from nanodet.json + nanodet.bin. It
     shares no code with convert_nanodet.py.
  2. Runs nanodet.onnx with OpenCV DNN (python3-opencv), if available, and
     compares `scores` / `boxes` with the reference.
  3. Optionally compares with raw float32 dumps made by another runtime
     (e.g. ONNX Runtime): DIR/input.f32 is written here, DIR/scores.f32 and
     DIR/boxes.f32 are read if present.
  4. Decodes detections (letterboxed input, per-class NMS) and prints them in
     source-image pixels.

Needs python3-numpy; python3-opencv for image loading and the OpenCV check.
"""

import argparse
import json
import os
import sys

import numpy as np

SIZE = 416
STRIDES = (8, 16, 32)
BINS = 11
COCO = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
        "dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
        "umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
        "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
        "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
        "couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
        "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
        "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
        "toothbrush"]


# --------------------------------------------------------------------------
# Reference executor for the TFJS graph (TF semantics, NHWC)
# --------------------------------------------------------------------------

def tfjs_weights(json_path):
    model = json.load(open(json_path))
    folder = os.path.dirname(os.path.abspath(json_path))
    dtypes = {n["name"]: n["attr"]["dtype"]["type"] for n in model["modelTopology"]["node"]
              if n["op"] == "Const"}
    out = {}
    for group in model["weightsManifest"]:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        pos = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"]))
            if w.get("quantization", {}).get("dtype") == "float16":
                a = np.frombuffer(blob, "<f2", n, pos).astype(np.float32)
                pos += 2 * n
            elif w["dtype"] == "float32" and "quantization" not in w:
                a = np.frombuffer(blob, "<f4", n, pos)
                pos += 4 * n
            elif w["dtype"] == "int32":
                a = np.frombuffer(blob, "<i4", n, pos)
                pos += 4 * n
            else:
                raise SystemExit("unsupported weight %s" % w["name"])
            if dtypes[w["name"]] == "DT_INT64":
                a = a.astype(np.int64)
            out[w["name"]] = a.reshape(w["shape"])
    return model, out


def tf_conv2d(x, w, strides, padding):
    assert padding == b"VALID"
    kh, kw, ci, co = w.shape
    n, h, wd, c = x.shape
    assert c == ci, "grouped conv not expected"
    sh, sw = strides[1], strides[2]
    ho, wo = (h - kh) // sh + 1, (wd - kw) // sw + 1
    y = np.zeros((n, ho, wo, co), np.float32)
    for i in range(kh):
        for j in range(kw):
            patch = x[:, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]
            y += patch @ w[i, j]
    return y


def tf_maxpool(x, k, s, padding):
    assert padding == b"VALID"
    n, h, wd, c = x.shape
    ho, wo = (h - k[1]) // s[1] + 1, (wd - k[2]) // s[2] + 1
    y = np.full((n, ho, wo, c), -np.inf, np.float32)
    for i in range(k[1]):
        for j in range(k[2]):
            y = np.maximum(y, x[:, i:i + s[1] * (ho - 1) + 1:s[1], j:j + s[2] * (wo - 1) + 1:s[2], :])
    return y


def tf_resize_bilinear(x, size, half_pixel):
    """tf.raw_ops.ResizeBilinear, align_corners=False."""
    def axis_coeffs(n_in, n_out):
        scale = n_in / n_out
        o = np.arange(n_out, dtype=np.float64)
        src = (o + 0.5) * scale - 0.5 if half_pixel else o * scale
        lo_f = np.floor(src)
        lerp = (src - lo_f).astype(np.float32)
        lo = np.maximum(lo_f, 0).astype(int)
        hi = np.minimum(np.ceil(src), n_in - 1).astype(int)
        return lo, hi, lerp
    y0, y1, fy = axis_coeffs(x.shape[1], size[0])
    x0, x1, fx = axis_coeffs(x.shape[2], size[1])
    top = x[:, y0][:, :, x0] + (x[:, y0][:, :, x1] - x[:, y0][:, :, x0]) * fx[None, None, :, None]
    bot = x[:, y1][:, :, x0] + (x[:, y1][:, :, x1] - x[:, y1][:, :, x0]) * fx[None, None, :, None]
    return top + (bot - top) * fy[None, :, None, None]


def run_tfjs(json_path, image_nchw):
    import base64
    model, weights = tfjs_weights(json_path)
    nodes = {n["name"]: n for n in model["modelTopology"]["node"]}
    cache = {}

    def attr(n, k):
        return n.get("attr", {}).get(k, {})

    def get(ref):
        name, _, idx = ref.partition(":")
        idx = int(idx or 0)
        if name not in cache:
            cache[name] = ev(nodes[name])
        v = cache[name]
        return v[idx] if isinstance(v, tuple) else v

    def ev(n):
        op = n["op"]
        if op == "Const":
            return weights[n["name"]]
        if op == "Placeholder":
            return image_nchw
        a = [get(r) for r in n.get("input", []) if not r.startswith("^")]
        if op == "Identity":
            return a[0]
        if op in ("Add", "AddV2"):
            return a[0] + a[1]
        if op == "Transpose":
            return np.transpose(a[0], a[1])
        if op in ("Pad", "PadV2"):
            value = a[2] if op == "PadV2" else 0
            return np.pad(a[0], a[1], mode="constant", constant_values=value)
        if op == "Conv2D":
            return tf_conv2d(a[0], a[1], [int(i) for i in attr(n, "strides")["list"]["i"]],
                             base64.b64decode(attr(n, "padding")["s"]))
        if op == "MaxPool":
            return tf_maxpool(a[0], [int(i) for i in attr(n, "ksize")["list"]["i"]],
                              [int(i) for i in attr(n, "strides")["list"]["i"]],
                              base64.b64decode(attr(n, "padding")["s"]))
        if op == "LeakyRelu":
            alpha = np.float32(attr(n, "alpha").get("f", 0.2))
            return np.where(a[0] > 0, a[0], a[0] * alpha)
        if op == "Sigmoid":
            return (1.0 / (1.0 + np.exp(-a[0]))).astype(np.float32)
        if op == "ConcatV2":
            return np.concatenate(a[:-1], axis=int(a[-1]))
        if op == "Reshape":
            return a[0].reshape(a[1])
        if op == "SplitV":
            return tuple(np.split(a[0], np.cumsum(a[1])[:-1], axis=int(a[2])))
        if op == "ResizeBilinear":
            assert not attr(n, "align_corners").get("b", False)
            return tf_resize_bilinear(a[0], a[1], attr(n, "half_pixel_centers").get("b", False))
        if op == "SparseToDense":
            idx, shape, values, default = a
            out = np.full(shape, default, dtype=default.dtype)
            for k in range(idx.shape[0]):
                out[tuple(idx[k])] = values[k] if values.ndim else values
            return out
        raise SystemExit("reference executor: op %s not implemented" % op)

    outs = {}
    for key in model["signature"]["outputs"]:
        outs[key] = get(key)
    # stack like the ONNX model does: stride order 8, 16, 32
    by = {}
    for v in outs.values():
        stride = {(SIZE // s) ** 2: s for s in STRIDES}[v.shape[1]]
        by[("scores" if v.shape[2] == 80 else "boxes", stride)] = v
    scores = np.concatenate([by[("scores", s)] for s in STRIDES], axis=1)
    boxes = np.concatenate([by[("boxes", s)] for s in STRIDES], axis=1)
    return scores.astype(np.float32), boxes.astype(np.float32)


# --------------------------------------------------------------------------
# Pre- and post-processing
# --------------------------------------------------------------------------

def letterbox(rgb):
    import cv2
    h, w = rgb.shape[:2]
    scale = min(SIZE / w, SIZE / h)
    nw, nh = round(w * scale), round(h * scale)
    px, py = (SIZE - nw) // 2, (SIZE - nh) // 2
    canvas = np.zeros((SIZE, SIZE, 3), np.uint8)
    canvas[py:py + nh, px:px + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x = canvas.astype(np.float32).transpose(2, 0, 1)[None] / 255.0
    return np.ascontiguousarray(x), scale, px, py


def decode(scores, boxes, min_score, center_offset=0.5, iou=0.6):
    dets = []
    start = 0
    project = np.arange(BINS, dtype=np.float32)
    for s in STRIDES:
        g = SIZE // s
        sc = scores[0, start:start + g * g]
        bx = boxes[0, start:start + g * g].reshape(-1, 4, BINS)
        start += g * g
        e = np.exp(bx - bx.max(axis=2, keepdims=True))
        dist = (e / e.sum(axis=2, keepdims=True)) @ project * s  # l, t, r, b
        idx = np.arange(g * g)
        cx = (idx % g + center_offset) * s
        cy = (idx // g + center_offset) * s
        cls = sc.argmax(axis=1)
        best = sc[idx, cls]
        for i in np.nonzero(best >= min_score)[0]:
            dets.append((int(cls[i]), float(best[i]), cx[i] - dist[i, 0], cy[i] - dist[i, 1],
                         cx[i] + dist[i, 2], cy[i] + dist[i, 3], s))
    dets.sort(key=lambda d: -d[1])
    keep = []
    for d in dets:
        if all(k[0] != d[0] or box_iou(k[2:6], d[2:6]) <= iou for k in keep):
            keep.append(d)
    return keep


def box_iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def compare(name, ref, got):
    d = np.abs(ref - got)
    print("  %-7s max|diff| %.3g  mean|diff| %.3g  (ref range %.3g..%.3g)"
          % (name, d.max(), d.mean(), ref.min(), ref.max()))
    return float(d.max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tfjs", required=True)
    ap.add_argument("--onnx")
    ap.add_argument("--image", required=True)
    ap.add_argument("--ort-dump", help="folder for input.f32 / scores.f32 / boxes.f32")
    ap.add_argument("--min-score", type=float, default=0.3)
    ap.add_argument("--center-offset", type=float, default=0.5,
                    help="prior point = (col + offset) * stride; 0.5 for this (legacy GFL) head")
    ap.add_argument("--tol", type=float, default=1e-3)
    args = ap.parse_args()

    import cv2
    bgr = cv2.imread(args.image, cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit("cannot read %s" % args.image)
    x, scale, px, py = letterbox(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    print("image %s %dx%d -> letterbox scale %.5f pad x=%d y=%d"
          % (args.image, bgr.shape[1], bgr.shape[0], scale, px, py))

    ok = True
    ref_scores, ref_boxes = run_tfjs(args.tfjs, x)
    print("reference (numpy TFJS executor): scores %s boxes %s"
          % (list(ref_scores.shape), list(ref_boxes.shape)))
    if args.onnx:
        net = cv2.dnn.readNetFromONNX(args.onnx)
        net.setInput(x, "input")
        s, b = net.forward(["scores", "boxes"])
        print("OpenCV DNN %s vs reference:" % cv2.__version__)
        ok &= compare("scores", ref_scores, s) < args.tol
        ok &= compare("boxes", ref_boxes, b) < args.tol
    if args.ort_dump:
        os.makedirs(args.ort_dump, exist_ok=True)
        x.astype("<f4").tofile(os.path.join(args.ort_dump, "input.f32"))
        sp, bp = (os.path.join(args.ort_dump, n) for n in ("scores.f32", "boxes.f32"))
        if os.path.exists(sp) and os.path.exists(bp):
            print("runtime dump in %s vs reference:" % args.ort_dump)
            ok &= compare("scores", ref_scores, np.fromfile(sp, "<f4").reshape(ref_scores.shape)) < args.tol
            ok &= compare("boxes", ref_boxes, np.fromfile(bp, "<f4").reshape(ref_boxes.shape)) < args.tol
        else:
            print("wrote %s/input.f32 (no scores.f32/boxes.f32 there yet)" % args.ort_dump)

    print("detections (score >= %.2f, per-class NMS IoU 0.6), source pixels:" % args.min_score)
    for cls, score, x1, y1, x2, y2, s in decode(ref_scores, ref_boxes, args.min_score, args.center_offset):
        print("  %-10s %.3f  x1=%6.1f y1=%6.1f x2=%6.1f y2=%6.1f  (stride %d)"
              % (COCO[cls], score, (x1 - px) / scale, (y1 - py) / scale,
                 (x2 - px) / scale, (y2 - py) / scale, s))
    print("RESULT: %s" % ("OK" if ok else "MISMATCH"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
