// Checks that each NAME.json given is exactly a google.cloud.vision.v1
// AnnotateImageResponse in the proto3 JSON mapping, using the .proto
// definitions shipped in Google's own Node client (@google-cloud/vision):
//  - no key the message lacks, no value of the wrong JSON type, enums by
//    name (a strict walk over the reflected types);
//  - a lossless round trip: JSON -> message -> protobuf wire bytes ->
//    message -> JSON gives the same document (numbers to float precision;
//    the proto3 defaults 0, "", false and UNKNOWN read back as absent).
// Prints one line per file; exits 1 on the first file with a problem.
//   node check_response.js FILE...
'use strict';
const fs = require('fs');
const protobuf = require('protobufjs');
const root = protobuf.Root.fromJSON(require('@google-cloud/vision/build/protos/protos.json'));
const Response = root.lookupType('google.cloud.vision.v1.AnnotateImageResponse');

const INTEGER = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64']);
const FLOAT = new Set(['float', 'double']);

function checkScalar(field, value, path, problems) {
  if (field.resolvedType instanceof protobuf.Enum) {
    if (typeof value !== 'string' || !(value in field.resolvedType.values)) {
      problems.push(`${path}: ${JSON.stringify(value)} is not a ${field.resolvedType.name} name`);
    }
  } else if (field.resolvedType instanceof protobuf.Type) {
    walk(field.resolvedType, value, path, problems);
  } else if (INTEGER.has(field.type)) {
    if (!Number.isInteger(value)) problems.push(`${path}: ${JSON.stringify(value)} is not an integer`);
  } else if (FLOAT.has(field.type)) {
    if (typeof value !== 'number') problems.push(`${path}: ${JSON.stringify(value)} is not a number`);
  } else if (field.type === 'string') {
    if (typeof value !== 'string') problems.push(`${path}: not a string`);
  } else if (field.type === 'bool') {
    if (typeof value !== 'boolean') problems.push(`${path}: not a boolean`);
  } else {
    problems.push(`${path}: unexpected field type ${field.type}`);
  }
}

function walk(type, object, path, problems) {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    problems.push(`${path}: a ${type.name} must be a JSON object`);
    return;
  }
  for (const [key, value] of Object.entries(object)) {
    const field = type.fields[key];
    if (!field) {
      problems.push(`${path}.${key}: ${type.name} has no such field`);
      continue;
    }
    field.resolve();
    if (field.repeated) {
      if (!Array.isArray(value)) problems.push(`${path}.${key}: must be an array`);
      else value.forEach((v, i) => checkScalar(field, v, `${path}.${key}[${i}]`, problems));
    } else {
      checkScalar(field, value, `${path}.${key}`, problems);
    }
  }
}

// The document as proto3 JSON writes it back: defaults left out.
function withoutDefaults(value) {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === 0 || v === '' || v === false || v === 'UNKNOWN' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = withoutDefaults(v);
  }
  return out;
}

function sameDocument(a, b, path, problems) {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(a))) problems.push(`${path}: ${a} came back as ${b}`);
    return;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    if (a !== b) problems.push(`${path}: ${JSON.stringify(a)} came back as ${JSON.stringify(b)}`);
    return;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) sameDocument(a[k], b[k], `${path}.${k}`, problems);
}

function countFields(value) {
  if (Array.isArray(value)) return value.reduce((n, v) => n + countFields(v), 0);
  if (value === null || typeof value !== 'object') return 1;
  return Object.values(value).reduce((n, v) => n + countFields(v), 0);
}

let failed = false;
for (const file of process.argv.slice(2)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const problems = [];
  walk(Response, doc, 'response', problems);
  const message = Response.fromObject(doc);
  const verified = Response.verify(message);
  if (verified) problems.push(`verify: ${verified}`);
  const decoded = Response.decode(Response.encode(message).finish());
  const back = Response.toObject(decoded, {enums: String, longs: Number, defaults: false});
  sameDocument(withoutDefaults(doc), withoutDefaults(JSON.parse(JSON.stringify(back))), 'response', problems);
  if (problems.length) {
    failed = true;
    console.log(`FAIL ${file}\n  ${problems.slice(0, 20).join('\n  ')}`);
  } else {
    console.log(`ok ${file}: ${countFields(doc)} values, keys ${Object.keys(doc).join(',') || '(none)'}`);
  }
}
process.exit(failed ? 1 : 0);
