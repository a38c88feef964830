#!/usr/bin/env python3
# Part of scripts/install-models.sh: it reshapes a published model so OpenCV 4.6
# can load it, and must keep producing exactly the sha256 in scripts/models.sha256
# (run with Debian's python3-onnx and python3-numpy). Started from the
# reference conversion the models were first made with (MANIFEST.md, tools/).
"""Give an ONNX model a static input shape and constant-fold shape-only
sub-graphs (Shape/Gather/Slice/Concat/Tile/Transpose/Unsqueeze/Squeeze/Reshape/
Cast/ConstantOfShape on constant inputs) so OpenCV 4.6's importer sees plain
constants. Also rewrites opset>=11 Clip(min,max inputs) into attribute form.
Usage: ppocr_static_rec.py in.onnx out.onnx N,C,H,W [--tbc]
  --tbc: append Transpose(1,0,2) so a [B,T,C] CTC output becomes [T,B,C],
         the layout cv::dnn::TextRecognitionModel (CTC-greedy) expects."""
import sys, numpy as np, onnx
from onnx import numpy_helper, helper, shape_inference

m = onnx.load(sys.argv[1])
dims = [int(v) for v in sys.argv[3].split(',')]
g = m.graph
for d, v in zip(g.input[0].type.tensor_type.shape.dim, dims):
    d.ClearField('dim_param'); d.dim_value = v
for o in g.output:
    for d in o.type.tensor_type.shape.dim: d.ClearField('dim_param'); d.ClearField('dim_value')
del g.value_info[:]
m = shape_inference.infer_shapes(m); g = m.graph
shapes = {}
for vi in list(g.value_info) + list(g.input) + list(g.output):
    t = vi.type.tensor_type
    if t.HasField('shape') and all(d.HasField('dim_value') for d in t.shape.dim):
        shapes[vi.name] = [d.dim_value for d in t.shape.dim]
C = {i.name: numpy_helper.to_array(i) for i in g.initializer}
def attr(n, k, default=None):
    for a in n.attribute:
        if a.name == k: return helper.get_attribute_value(a)
    return default
new_nodes, folded = [], 0
for n in g.node:
    ins = [C.get(i) if i else None for i in n.input]
    allc = all(x is not None for i, x in zip(n.input, ins) if i)
    out = None
    op = n.op_type
    try:
        if op == 'Constant': out = numpy_helper.to_array(attr(n, 'value'))
        elif op == 'Shape' and n.input[0] in shapes: out = np.array(shapes[n.input[0]], np.int64)
        elif allc and op == 'Gather': out = np.take(ins[0], ins[1], axis=attr(n, 'axis', 0))
        elif allc and op == 'Unsqueeze':
            out = ins[0]
            for a in sorted(attr(n, 'axes') if attr(n, 'axes') is not None else ins[1].tolist()): out = np.expand_dims(out, a)
        elif allc and op == 'Squeeze':
            ax = attr(n, 'axes'); out = np.squeeze(ins[0], axis=tuple(ax) if ax else None)
        elif allc and op == 'Concat': out = np.concatenate([x for x in ins], axis=attr(n, 'axis'))
        elif allc and op == 'Slice':
            data, st, en = ins[0], ins[1], ins[2]
            ax = ins[3] if len(ins) > 3 and ins[3] is not None else np.arange(len(st))
            sp = ins[4] if len(ins) > 4 and ins[4] is not None else np.ones(len(st), np.int64)
            sl = [slice(None)] * data.ndim
            for s, e, a, p in zip(st, en, ax, sp): sl[int(a)] = slice(int(s), int(min(e, 2**62)), int(p))
            out = data[tuple(sl)]
        elif allc and op == 'Tile': out = np.tile(ins[0], ins[1])
        elif allc and op == 'Transpose': out = np.transpose(ins[0], attr(n, 'perm'))
        elif allc and op == 'Reshape':
            shp = [d if d != 0 else ins[0].shape[i] for i, d in enumerate(ins[1])]; out = ins[0].reshape(shp)
        elif allc and op == 'Cast': out = ins[0].astype(helper.tensor_dtype_to_np_dtype(attr(n, 'to')) if hasattr(helper, 'tensor_dtype_to_np_dtype') else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attr(n, 'to')])
        elif allc and op == 'ConstantOfShape':
            v = attr(n, 'value'); val = numpy_helper.to_array(v) if v is not None else np.zeros(1, np.float32)
            out = np.full(ins[0].astype(np.int64), val.reshape(-1)[0], val.dtype)
    except Exception as e:
        print('fold failed', op, n.name, e); out = None
    if out is not None and op != 'Constant':
        C[n.output[0]] = np.asarray(out); folded += 1; continue
    if out is not None and op == 'Constant':
        C[n.output[0]] = np.asarray(out); continue
    if op == 'Clip' and len(n.input) > 1:
        lo, hi = (n.input[1] if len(n.input) > 1 else ''), (n.input[2] if len(n.input) > 2 else '')
        extra = []
        if lo: extra.append(helper.make_attribute('min', float(C[lo].reshape(-1)[0])))
        if hi: extra.append(helper.make_attribute('max', float(C[hi].reshape(-1)[0])))
        del n.input[1:]; n.attribute.extend(extra)
    new_nodes.append(n)
used = {i for n in new_nodes for i in n.input}
del g.node[:]; g.node.extend(new_nodes)
del g.initializer[:]
for k, v in C.items():
    if k in used: g.initializer.append(numpy_helper.from_array(np.ascontiguousarray(v), k))
del g.value_info[:]
# (no checker: attribute-style Clip is invalid for opset>=11 but is what OpenCV 4.6 reads)
if '--tbc' in sys.argv[4:]:
    old = g.output[0].name
    for n in g.node:
        for i, o in enumerate(n.output):
            if o == old: n.output[i] = old + '_btc'
    g.node.append(helper.make_node('Transpose', [old + '_btc'], [old], perm=[1, 0, 2]))
onnx.save(m, sys.argv[2])
print(f'folded {folded} nodes; {len(new_nodes)} nodes remain; ops:', sorted(set(n.op_type for n in new_nodes)))
