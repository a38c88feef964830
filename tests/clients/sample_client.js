// Reads NAME.json the way Google's Node samples read a response from
// ImageAnnotatorClient (cloud.google.com/vision/docs: detect faces, labels,
// objects, text, document text, safe search, properties, crop hints), and
// prints what they print, plus one summary line of counts per file.
//
// The response object is made as the client library makes it: the client's
// own generated message class decodes it, and it is handed over as the
// client hands responses over (enums as strings, defaults filled in). The
// sample code below it is unchanged from the samples' style.
//   node sample_client.js FILE...
'use strict';
const fs = require('fs');
const {protos} = require('@google-cloud/vision');
const AnnotateImageResponse = protos.google.cloud.vision.v1.AnnotateImageResponse;

function asTheClientReturnsIt(file) {
  const message = AnnotateImageResponse.fromObject(JSON.parse(fs.readFileSync(file, 'utf8')));
  return AnnotateImageResponse.toObject(message, {enums: String, longs: String, defaults: true, oneofs: true});
}

function sample(result) {
  const counts = {faces: 0, labels: 0, objects: 0, words: 0, blocks: 0, paragraphs: 0, symbols: 0,
    colors: 0, cropHints: 0};
  if (result.error) {
    console.log(`Error: ${result.error.message}`);
    counts.error = result.error.code;
  }
  const faces = result.faceAnnotations;
  console.log('Faces:');
  faces.forEach((face, i) => {
    console.log(`  Face #${i + 1}:`);
    console.log(`    Joy: ${face.joyLikelihood}`);
    console.log(`    Blurred: ${face.blurredLikelihood}`);
    console.log(`    Roll/pan/tilt: ${face.rollAngle} ${face.panAngle} ${face.tiltAngle}`);
    const v = face.boundingPoly.vertices;
    console.log(`    Box: (${v[0].x}, ${v[0].y}) to (${v[2].x}, ${v[2].y})`);
    counts.faces++;
  });
  const labels = result.labelAnnotations;
  console.log('Labels:');
  labels.forEach(label => { console.log(`  ${label.description} ${label.score}`); counts.labels++; });
  const objects = result.localizedObjectAnnotations;
  objects.forEach(object => {
    console.log(`Name: ${object.name}`);
    console.log(`Confidence: ${object.score}`);
    const vertices = object.boundingPoly.normalizedVertices;
    vertices.forEach(v => console.log(`x: ${v.x}, y:${v.y}`));
    counts.objects++;
  });
  const detections = result.textAnnotations;
  console.log('Text:');
  detections.forEach(text => console.log(text.description));
  counts.words = Math.max(0, detections.length - 1);
  const fullTextAnnotation = result.fullTextAnnotation;
  if (fullTextAnnotation) {
    console.log(`Full text: ${fullTextAnnotation.text}`);
    fullTextAnnotation.pages.forEach(page => {
      page.blocks.forEach(block => {
        counts.blocks++;
        console.log(`Block confidence: ${block.confidence}`);
        block.paragraphs.forEach(paragraph => {
          counts.paragraphs++;
          console.log(`Paragraph confidence: ${paragraph.confidence}`);
          paragraph.words.forEach(word => {
            const wordText = word.symbols.map(s => s.text).join('');
            console.log(`Word text: ${wordText}`);
            console.log(`Word confidence: ${word.confidence}`);
            word.symbols.forEach(symbol => {
              counts.symbols++;
              console.log(`Symbol text: ${symbol.text}`);
              console.log(`Symbol confidence: ${symbol.confidence}`);
            });
          });
        });
      });
    });
  }
  const safe = result.safeSearchAnnotation;
  if (safe) {
    console.log('Safe search:');
    console.log(`Adult: ${safe.adult}`);
    console.log(`Medical: ${safe.medical}`);
    console.log(`Spoof: ${safe.spoof}`);
    console.log(`Violence: ${safe.violence}`);
    console.log(`Racy: ${safe.racy}`);
    counts.racy = safe.racy;
    counts.adult = safe.adult;
  }
  if (result.imagePropertiesAnnotation) {
    const colors = result.imagePropertiesAnnotation.dominantColors.colors;
    colors.forEach(color => { console.log(color); counts.colors++; });
  }
  if (result.cropHintsAnnotation) {
    result.cropHintsAnnotation.cropHints.forEach((hintBounds, hintIdx) => {
      console.log(`Crop Hint ${hintIdx}:`);
      hintBounds.boundingPoly.vertices.forEach((bound, boundIdx) => {
        console.log(`  Bound ${boundIdx}: (${bound.x}, ${bound.y})`);
      });
      counts.cropHints++;
    });
  }
  return counts;
}

for (const file of process.argv.slice(2)) {
  const counts = sample(asTheClientReturnsIt(file));
  console.log(`COUNTS ${file} ${JSON.stringify(counts)}`);
}
