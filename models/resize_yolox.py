#!/usr/bin/python3
"""Rewrite the input size of a YOLOX ONNX graph.

    resize_yolox.py IN.onnx OUT.onnx WIDTH HEIGHT

YOLOX's graph does not depend on its input size: the Focus slices are strided, both Resize ops
upsample by a scale of 2 and the Reshapes are [1, 85, -1]. So the input and output dims can be
rewritten, as long as that is really true of the graph at hand: a graph with a fixed Reshape target
or a Resize with fixed sizes (NanoDet's converted graph is one) would give wrong boxes after such a
rewrite, and is refused here. The stored intermediate shapes (value_info) are those of the old size,
so they are dropped and inferred again. The output is deterministic: the same input gives the same
bytes.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference

STRIDES = (8, 16, 32)


def die(msg):
    print(f"resize_yolox.py: {msg}", file=sys.stderr)
    sys.exit(1)


def constant_of(graph, name):
    for init in graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    for node in graph.node:
        if node.op_type == "Constant" and node.output[0] == name:
            return numpy_helper.to_array(node.attribute[0].t)
    return None


def check_size_free(graph):
    """Refuses graphs whose ops carry the old input size."""
    for node in graph.node:
        if node.op_type == "Reshape":
            target = constant_of(graph, node.input[1])
            if target is None:
                continue
            # -1 (or a 0 that copies a dim) in the cell axis is size-free; a fixed cell count is not.
            if target.size == 3 and target[2] not in (-1, 0):
                die(f"Reshape {node.name} has a fixed target {target.tolist()}: this graph cannot be resized")
        if node.op_type == "Resize" and len(node.input) >= 4 and node.input[3]:
            sizes = constant_of(graph, node.input[3])
            if sizes is not None and sizes.size > 0:
                die(f"Resize {node.name} has fixed output sizes {sizes.tolist()}: this graph cannot be resized")


def main():
    if len(sys.argv) != 5:
        die("usage: resize_yolox.py IN.onnx OUT.onnx WIDTH HEIGHT")
    src, dst, width, height = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if width % 32 or height % 32 or width <= 0 or height <= 0:
        die(f"{width}x{height}: width and height must be positive multiples of 32 (the coarsest stride)")

    model = onnx.load(src)
    graph = model.graph
    if len(graph.input) != 1 or len(graph.output) != 1:
        die(f"{src}: expected one input and one output (YOLOX's raw head), found {len(graph.input)} and {len(graph.output)}")
    out_dims = graph.output[0].type.tensor_type.shape.dim
    if len(out_dims) != 3 or out_dims[2].dim_value != 85:
        die(f"{src}: output is not YOLOX's [1, cells, 85]")
    check_size_free(graph)

    cells = sum((width // s) * (height // s) for s in STRIDES)
    in_dims = graph.input[0].type.tensor_type.shape.dim
    in_dims[2].dim_value = height
    in_dims[3].dim_value = width
    out_dims[1].dim_value = cells
    del graph.value_info[:]
    model = shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    inferred = [d.dim_value for d in model.graph.output[0].type.tensor_type.shape.dim]
    if inferred != [1, cells, 85]:
        die(f"shape inference gives output {inferred}, expected [1, {cells}, 85]")
    onnx.save(model, dst)
    print(f"{dst}: input [1, 3, {height}, {width}], output [1, {cells}, 85]")


if __name__ == "__main__":
    np.set_printoptions(threshold=8)
    main()
