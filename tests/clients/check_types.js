// Type-checks JSON documents against the response types of the cloud
// vision SDKs, with the TypeScript compiler in strict mode: each document
// becomes an object literal assigned to a variable of the SDK's type, so a
// missing required field, a wrong type or a key the type lacks (TypeScript's
// excess property check) is an error.
//   node check_types.js TYPE=FILE...
// TYPE is one of the keys of TYPES below. Prints the compiler's errors;
// exits 1 if there are any.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const ts = require('typescript');

const TYPES = {
  AzureImageAnalysis: ['@azure-rest/ai-vision-image-analysis', 'ImageAnalysisResultOutput'],
  AwsDetectFaces: ['@aws-sdk/client-rekognition', 'DetectFacesResponse'],
  AwsDetectLabels: ['@aws-sdk/client-rekognition', 'DetectLabelsResponse'],
  AwsDetectText: ['@aws-sdk/client-rekognition', 'DetectTextResponse'],
};

const lines = [];
process.argv.slice(2).forEach((arg, i) => {
  const [type, file] = arg.split('=');
  if (!TYPES[type]) throw new Error(`unknown type ${type}`);
  const [module, name] = TYPES[type];
  lines.push(`import type { ${name} as T${i} } from '${module}';`);
  lines.push(`// ${file}\nexport const doc${i}: T${i} = ${fs.readFileSync(file, 'utf8').trim()};`);
});
// The generated file sits beside node_modules, so the SDKs resolve.
const source = path.join(__dirname, `.check-${process.pid}-${os.hostname()}.ts`);
fs.writeFileSync(source, lines.join('\n') + '\n');
try {
  const program = ts.createProgram([source], {
    strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, types: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  for (const d of diagnostics) {
    const where = d.file ? `line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1}: ` : '';
    console.log(where + ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  console.log(`${process.argv.length - 2} documents, ${diagnostics.length} type errors`);
  process.exitCode = diagnostics.length ? 1 : 0;
} finally {
  fs.unlinkSync(source);
}
