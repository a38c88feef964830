# visionfs faces sidecar -> AWS Rekognition DetectFaces response, as
# @aws-sdk/client-rekognition types it.
#   jq -s -f scripts/jq/aws-detect-faces.jq photo.jpg.faces.json
# Boxes and landmarks as ratios of the image's width and height (AWS's
# convention); Confidence 0..100; Pose from the face's roll, pan and tilt
# (Yaw = pan, Pitch = tilt); Quality from the face's measures: Brightness =
# mean luma on 0..100, Sharpness = Laplacian variance / 4, at most 100.
# Not computed: age range, emotions, gender, smile, glasses, beard, occlusion.
(map(select(type == "object" and .analyzer == "faces" and (has("error") | not))) | first // {}) as $f
| ($f.width // 1) as $w | ($f.height // 1) as $h
| def r4: (. * 10000 | round) / 10000;
{
  FaceDetails: [($f.faces // [])[] | {
    BoundingBox: {Width: (.box.width / $w | r4), Height: (.box.height / $h | r4),
                  Left: (.box.x / $w | r4), Top: (.box.y / $h | r4)},
    Confidence: (.detectionConfidence * 100 | r4),
    Landmarks: [(.landmarks // [])[]
      | {Type: ({LEFT_EYE: "eyeLeft", RIGHT_EYE: "eyeRight", NOSE_TIP: "nose",
                 MOUTH_LEFT: "mouthLeft", MOUTH_RIGHT: "mouthRight"}[.type]),
         X: (.position.x / $w | r4), Y: (.position.y / $h | r4)}
      | select(.Type != null)]
  }
  + (if has("rollAngle") then {Pose: {Roll: .rollAngle, Yaw: .panAngle, Pitch: .tiltAngle}} else {} end)
  + (if has("measures") then {Quality: {Brightness: (.measures.brightness / 2.55 | r4),
                                       Sharpness: ([.measures.sharpness / 4, 100] | min | r4)}} else {} end)]
}
