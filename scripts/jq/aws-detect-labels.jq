# visionfs labels and objects sidecars -> AWS Rekognition DetectLabels
# response, as @aws-sdk/client-rekognition types it.
#   jq -s -f scripts/jq/aws-detect-labels.jq photo.jpg.labels.json photo.jpg.objects.json
# One Label per name: the classifier's labels (Confidence = score x 100), and
# each object class with its Instances (boxes as ratios of the image). The
# broader WordNet labels are listed too, and are the Parents of the most
# likely class (WordNet's chain above it). Not computed: categories, aliases,
# image properties.
(map(select(type == "object" and has("analyzer") and (has("error") | not)) | {(.analyzer): .}) | add // {}) as $s
| (($s.objects // $s.labels // {}).width // 1) as $w | (($s.objects // $s.labels // {}).height // 1) as $h
| def r4: (. * 10000 | round) / 10000;
  ([($s.labels.labels // [])[] | select(has("classIndex") | not) | .description]) as $broad
| ([($s.labels.labels // [])[] | select(has("classIndex"))] | first | .description) as $top
| ([($s.labels.labels // [])[] | {Name: .description, Confidence: (.score * 100 | r4), Instances: [],
      Parents: (if .description == $top then [$broad[] | {Name: .}] else [] end)}]
   + [($s.objects.objects // []) | group_by(.name)[] | {
      Name: .[0].name, Confidence: (map(.score) | max * 100 | r4),
      Instances: [.[] | {BoundingBox: {Width: (.box.width / $w | r4), Height: (.box.height / $h | r4),
                                       Left: (.box.x / $w | r4), Top: (.box.y / $h | r4)},
                         Confidence: (.score * 100 | r4)}],
      Parents: []}]
   | group_by(.Name) | map(max_by(.Instances | length)) | sort_by(-.Confidence)) as $labels
| {Labels: $labels, LabelModelVersion: "visionfs"}
