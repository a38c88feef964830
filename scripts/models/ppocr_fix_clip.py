#!/usr/bin/env python3
# Part of scripts/install-models.sh: it reshapes a published model so OpenCV 4.6
# can load it, and must keep producing exactly the sha256 in scripts/models.sha256
# (run with Debian's python3-onnx and python3-numpy). Started from the
# reference conversion the models were first made with (MANIFEST.md, tools/).
"""Rewrite ONNX Clip nodes that take min/max as inputs (opset >= 11) into the
attribute form (opset 6) that OpenCV 4.6's ONNX importer accepts.
Usage: ppocr_fix_clip.py in.onnx out.onnx
Only Clip nodes whose min/max inputs are constants (initializers or Constant
nodes) are rewritten; weights are untouched."""
import sys, onnx
from onnx import numpy_helper, helper

m = onnx.load(sys.argv[1])
g = m.graph
consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
for n in g.node:
    if n.op_type == "Constant":
        for a in n.attribute:
            if a.name == "value":
                consts[n.output[0]] = numpy_helper.to_array(a.t)
n_fixed = 0
for n in g.node:
    if n.op_type != "Clip" or len(n.input) <= 1:
        continue
    lo = n.input[1] if len(n.input) > 1 else ""
    hi = n.input[2] if len(n.input) > 2 else ""
    attrs = []
    if lo:
        attrs.append(helper.make_attribute("min", float(consts[lo].reshape(-1)[0])))
    if hi:
        attrs.append(helper.make_attribute("max", float(consts[hi].reshape(-1)[0])))
    del n.input[1:]
    n.attribute.extend(attrs)
    n_fixed += 1
# drop Constant nodes / initializers that are no longer referenced
used = {i for n in g.node for i in n.input} | {o.name for o in g.output}
keep = [n for n in g.node if not (n.op_type == "Constant" and n.output[0] not in used)]
del g.node[:]; g.node.extend(keep)
inits = [i for i in g.initializer if i.name in used]
del g.initializer[:]; g.initializer.extend(inits)
onnx.save(m, sys.argv[2])
print(f"{sys.argv[1]}: rewrote {n_fixed} Clip nodes -> {sys.argv[2]}")
