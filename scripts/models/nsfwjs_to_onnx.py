#!/usr/bin/env python3
# Part of scripts/install-models.sh: it reshapes a published model so OpenCV 4.6
# can load it, and must keep producing exactly the sha256 in scripts/models.sha256
# (run with Debian's python3-onnx and python3-numpy). Started from the
# reference conversion the models were first made with (MANIFEST.md, tools/).
"""Convert a tfjs *layers* model (Keras topology JSON + uint8-quantized weight
shard, as shipped in the nsfwjs npm package) into an NCHW ONNX graph that
OpenCV 4.6 cv::dnn can import (opset 10; Clip with attributes; BN folded).
Usage: nsfwjs_to_onnx.py model.json shard.bin out.onnx"""
import json, sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto

mj = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], 'rb').read()
# ---- weights -------------------------------------------------------------
W, off = {}, 0
for grp in mj['weightsManifest']:
    for w in grp['weights']:
        n = int(np.prod(w['shape'])) if w['shape'] else 1
        q = w.get('quantization')
        if q:
            assert q['dtype'] == 'uint8'
            a = np.frombuffer(raw, np.uint8, n, off).astype(np.float32) * q['scale'] + q['min']
            off += n
        else:
            a = np.frombuffer(raw, np.float32, n, off); off += 4 * n
        W[w['name']] = a.reshape(w['shape'])
assert off == len(raw), (off, len(raw))
layers = mj['modelTopology']['model_config']['config']['layers']
byname = {l['name']: l for l in layers}
consumers = {}
for l in layers:
    for inb in (l['inbound_nodes'][0] if l['inbound_nodes'] else []):
        consumers.setdefault(inb[0], []).append(l['name'])
def src(l): return l['inbound_nodes'][0][0][0]
def w(lname, key):
    for cand in (f"{lname}/{key}", f"{lname}/{key}:0"):
        if cand in W: return W[cand]
    raise KeyError(f"{lname}/{key}")
nodes, inits = [], []
def init(name, arr):
    inits.append(numpy_helper.from_array(np.ascontiguousarray(arr, np.float32), name)); return name
out_name, shape = {}, {}     # keras layer -> onnx tensor name, (C,H,W)
pending_pad = {}             # ZeroPadding2D folded into next conv: name -> (t,b,l,r)
inp = layers[0]; assert inp['class_name'] == 'InputLayer'
_, H, Wd, C = inp['config']['batch_input_shape']
out_name[inp['name']] = 'input'; shape[inp['name']] = (C, H, Wd)
def same_pads(H, Wd, k, s):
    def one(n, k, s):
        o = -(-n // s); p = max((o - 1) * s + k - n, 0); return p // 2, p - p // 2
    t, b = one(H, k[0], s[0]); l, r = one(Wd, k[1], s[1]); return t, b, l, r
for l in layers[1:]:
    cn, cfg, name = l['class_name'], l['config'], l['name']
    x = src(l)
    if cn == 'ZeroPadding2D':
        (t, b), (le, r) = cfg['padding']
        cs = consumers.get(name, [])
        if len(cs) == 1 and byname[cs[0]]['class_name'] in ('Conv2D', 'DepthwiseConv2D') and byname[cs[0]]['config']['padding'] == 'valid':
            pending_pad[name] = (t, b, le, r); out_name[name] = out_name[x]
        else:
            # opset 10 Pad takes pads as an attribute
            nodes.append(helper.make_node('Pad', [out_name[x]], [name], mode='constant', pads=[0, 0, t, le, 0, 0, b, r]))
            out_name[name] = name
        c, h, ww = shape[x]; shape[name] = (c, h + t + b, ww + le + r)
    elif cn in ('Conv2D', 'DepthwiseConv2D'):
        k, s = cfg['kernel_size'], cfg['strides']
        c, h, ww = shape[x]
        if cn == 'Conv2D':
            K = w(name, 'kernel').transpose(3, 2, 0, 1); group = 1
        else:
            dk = w(name, 'depthwise_kernel')            # kh,kw,in,mult
            K = dk.transpose(2, 3, 0, 1).reshape(-1, 1, k[0], k[1]); group = c
        if x in pending_pad: t, b, le, r = pending_pad[x]
        elif cfg['padding'] == 'same': t, b, le, r = same_pads(h, ww, k, s)
        else: t = b = le = r = 0
        bias = w(name, 'bias') if cfg.get('use_bias') else np.zeros(K.shape[0], np.float32)
        # fold a following BatchNormalization
        cs = consumers.get(name, []); oname = name
        if len(cs) == 1 and byname[cs[0]]['class_name'] == 'BatchNormalization':
            bn = cs[0]; eps = byname[bn]['config']['epsilon']
            g, be = w(bn, 'gamma'), w(bn, 'beta'); mu, var = w(bn, 'moving_mean'), w(bn, 'moving_variance')
            f = g / np.sqrt(var + eps)
            K = K * f.reshape(-1, 1, 1, 1); bias = (bias - mu) * f + be
            oname = bn
        nodes.append(helper.make_node('Conv', [out_name[x], init(name + '_W', K), init(name + '_B', bias)], [oname],
                                      kernel_shape=list(k), strides=list(s), pads=[t, le, b, r], group=group))
        oh = (h + t + b - k[0]) // s[0] + 1; ow = (ww + le + r - k[1]) // s[1] + 1
        for nm in {name, oname}: out_name[nm] = oname; shape[nm] = (K.shape[0], oh, ow)
        act = cfg.get('activation', 'linear'); assert act == 'linear', act
    elif cn == 'BatchNormalization':
        if name in out_name: continue                  # already folded
        raise NotImplementedError('unfolded BN ' + name)
    elif cn == 'ReLU':
        mv = cfg.get('max_value'); assert cfg.get('negative_slope', 0) == 0
        if mv is None: nodes.append(helper.make_node('Relu', [out_name[x]], [name]))
        else: nodes.append(helper.make_node('Clip', [out_name[x]], [name], min=0.0, max=float(mv)))
        out_name[name] = name; shape[name] = shape[x]
    elif cn == 'Add':
        ins = [out_name[i[0]] for i in l['inbound_nodes'][0]]
        nodes.append(helper.make_node('Add', ins, [name])); out_name[name] = name; shape[name] = shape[l['inbound_nodes'][0][0][0]]
    elif cn == 'AveragePooling2D':
        c, h, ww = shape[x]; k, s = cfg['pool_size'], cfg['strides']; assert cfg['padding'] == 'valid'
        nodes.append(helper.make_node('AveragePool', [out_name[x]], [name], kernel_shape=list(k), strides=list(s)))
        out_name[name] = name; shape[name] = (c, (h - k[0]) // s[0] + 1, (ww - k[1]) // s[1] + 1)
    elif cn == 'Flatten':
        c, h, ww = shape[x]; assert h == 1 and ww == 1, 'flatten order only trivially equal for 1x1'
        nodes.append(helper.make_node('Flatten', [out_name[x]], [name], axis=1)); out_name[name] = name; shape[name] = (c,)
    elif cn == 'Dropout':
        out_name[name] = out_name[x]; shape[name] = shape[x]
    elif cn == 'Dense':
        k, b = w(name, 'kernel'), w(name, 'bias'); act = cfg['activation']
        g = name if act == 'linear' else name + '_lin'
        nodes.append(helper.make_node('Gemm', [out_name[x], init(name + '_W', k.T), init(name + '_B', b)], [g], transB=1))
        if act == 'relu': nodes.append(helper.make_node('Relu', [g], [name]))
        elif act == 'softmax': nodes.append(helper.make_node('Softmax', [g], [name], axis=1))
        else: assert act == 'linear', act
        out_name[name] = name; shape[name] = (k.shape[1],)
    else:
        raise NotImplementedError(cn)
outl = mj['modelTopology']['model_config']['config']['output_layers'][0][0]
graph = helper.make_graph(nodes, 'nsfw_mobilenet_v2',
    [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, C, H, Wd])],
    [helper.make_tensor_value_info(out_name[outl], TensorProto.FLOAT, [1, shape[outl][0]])], inits)
m = helper.make_model(graph, producer_name='keras_tfjs_to_onnx', opset_imports=[helper.make_opsetid('', 10)])
m.ir_version = 6
onnx.checker.check_model(m)
onnx.save(m, sys.argv[3])
print('wrote', sys.argv[3], 'nodes', len(nodes), 'output', out_name[outl], shape[outl])
