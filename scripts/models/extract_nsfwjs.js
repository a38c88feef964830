// Part of scripts/install-models.sh (started from the reference tools/extract_nsfwjs.js).
// Extract the tfjs layers model bundled in the nsfwjs npm package (MIT) into
// model.json + weights.bin for keras_tfjs_to_onnx.py.
// Usage: node extract_nsfwjs.js <path-to>/node_modules/nsfwjs/dist/models/mobilenet_v2 <outdir>
const fs = require('fs'), path = require('path');
const [dir, out] = process.argv.slice(2);
const mj = require(path.resolve(dir, 'model.min.js'));
const shard = require(path.resolve(dir, 'group1-shard1of1.min.js'));   // base64 string
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(mj));
fs.writeFileSync(path.join(out, 'weights.bin'), Buffer.from(shard, 'base64'));
console.log('wrote', out);
