# visionfs text sidecar -> AWS Rekognition DetectText response, as
# @aws-sdk/client-rekognition types it.
#   jq -s -f scripts/jq/aws-detect-text.jq photo.jpg.text.json
# Every line (Type LINE), then every word (Type WORD, ParentId its line's
# Id), in reading order; Confidence 0..100; Geometry as ratios of the image:
# the polygon in reading order (turned with rotated text) and the box
# around it. AWS stops at 100 words; visionfs does not.
(map(select(type == "object" and .analyzer == "text" and (has("error") | not))) | first // {}) as $t
| ($t.width // 1) as $w | ($t.height // 1) as $h
| def r4: (. * 10000 | round) / 10000;
  def geometry: [.boundingPoly.vertices[] | {X: (.x / $w | r4), Y: (.y / $h | r4)}] as $p
    | {BoundingBox: {Left: ($p | map(.X) | min), Top: ($p | map(.Y) | min),
                     Width: (($p | map(.X) | max) - ($p | map(.X) | min) | r4),
                     Height: (($p | map(.Y) | max) - ($p | map(.Y) | min) | r4)},
       Polygon: $p};
  [($t.lines // []) | to_entries[] | {id: .key, line: .value}] as $lines
| ($lines | length) as $n
| {TextDetections: (
    [$lines[] | {DetectedText: .line.text, Type: "LINE", Id: .id,
                 Confidence: (.line.confidence * 100 | r4), Geometry: (.line | geometry)}]
    + ([$lines[] | .id as $parent | .line.words[] | {word: ., parent: $parent}] | to_entries
       | map({DetectedText: .value.word.text, Type: "WORD", Id: ($n + .key), ParentId: .value.parent,
              Confidence: (.value.word.confidence * 100 | r4), Geometry: (.value.word | geometry)}))),
   TextModelVersion: "visionfs"}
