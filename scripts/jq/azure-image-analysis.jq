# visionfs sidecars -> Azure AI Vision Image Analysis 4.0 (ImageAnalysisResult,
# REST API 2023-10-01) as @azure-rest/ai-vision-image-analysis types it.
#   jq -s -f scripts/jq/azure-image-analysis.jq photo.jpg.*.json
# Reads whichever sidecars it is given (labels, objects, text, crops, and any
# one for the image size); a sidecar holding an error is left out.
# Maps: tags <- labels (with the broader WordNet ones) and object names;
# objects and people <- objects; read <- text (one block per Tesseract
# block is not kept: Azure's read result has one block); smartCrops <- crops.
# Not computed: captions, dense captions.
(map(select(type == "object" and has("analyzer") and (has("error") | not)) | {(.analyzer): .}) | add // {}) as $s
| def box: {x: .x, y: .y, w: .width, h: .height};
  def points: [.boundingPoly.vertices[] | {x: .x, y: .y}];
  def vbox: (.boundingPoly.vertices) as $v
    | {x: $v[0].x, y: $v[0].y, w: ($v[2].x - $v[0].x), h: ($v[2].y - $v[0].y)};
{
  modelVersion: "visionfs",
  metadata: {width: ([$s[] | .width] | first // 0), height: ([$s[] | .height] | first // 0)}
}
+ (if ($s.labels or $s.objects) then {tagsResult: {values: (
      [($s.labels.labels // [])[] | {name: .description, confidence: .score}]
      + [($s.objects.objects // [])[] | {name: .name, confidence: .score}]
      | group_by(.name) | map(max_by(.confidence)) | sort_by(-.confidence))}} else {} end)
+ (if $s.objects then {
      objectsResult: {values: [$s.objects.objects[]
        | {boundingBox: (.box | box), tags: [{name: .name, confidence: .score}]}]},
      peopleResult: {values: [$s.objects.objects[] | select(.name == "person")
        | {boundingBox: (.box | box), confidence: .score}]}} else {} end)
+ (if $s.text then {readResult: {blocks: [{lines: [$s.text.lines[]
      | {text: .text, boundingPolygon: points,
         words: [.words[] | {text: .text, boundingPolygon: points, confidence: .confidence}]}]}]}} else {} end)
+ (if $s.crops then {smartCropsResult: {values: [$s.crops.cropHints[] | vbox
      | {aspectRatio: (if .h > 0 then ((.w / .h) * 100 | round) / 100 else 0 end), boundingBox: .}]}} else {} end)
