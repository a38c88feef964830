#pragma once
// YuNet face detection: the engine behind the faces analyzer when a YuNet
// model is installed (make_yunet_face_detector in analysis/core/factories.h).
//
// Prefers face/face_detection_yunet_2023mar.onnx ("yunet-2023mar"), decoded
// by hand because OpenCV 4.6's cv::FaceDetectorYN only understands the 2021
// outputs; falls back to face/face_detection_yunet_2021_120x160.onnx through
// cv::FaceDetectorYN ("yunet-2021") when only that file is installed.
//
// Landmarks follow Google's convention, which names left and right from the
// viewer's vantage ("LEFT_EYE, typically, is the person's right eye"):
// YuNet's five points, in order, are the eye on the image's left, the eye on
// its right, the nose tip, the mouth corner on the image's left and the one
// on its right (OpenCV's docs call them "right eye, left eye, ..., right corner
// of mouth, left corner of mouth" from the person's vantage; same points).
// So YuNet point 0 is LEFT_EYE, 1 RIGHT_EYE, 2 NOSE_TIP, 3 MOUTH_LEFT and
// 4 MOUTH_RIGHT. tests/analysis/yunet_test.cpp checks this on messi5.jpg.
//
// Thread-safety: detect() is const and leases one network (or one
// FaceDetectorYN) per concurrent caller, loaded on first use.

#include "analysis/core/analysis_options.h"
#include "analysis/engines/detectors.h"

#include <memory>

namespace visionfs::analysis {

// Minimum face scores. Chosen from every photo in Debian's opencv-doc
// examples (2023mar): real frontal faces scored 0.82 to 0.92 (messi5.jpg
// 0.915), non-faces up to 0.76 (the squirrel's face in squirrel_cls.jpg,
// 0.63 for a tower and a circuit-board part); faces seen from the side or
// blurred spectators scored 0.51 to 0.58 and are given up for that
// precision. The 2021 model's scores are not comparable (it gives a sudoku
// grid 0.99 and messi5.jpg's face 0.77), so it keeps the 0.6 it was verified
// with; it is only the fallback.
inline constexpr float kYunet2023ScoreThreshold = 0.8f;
inline constexpr float kYunet2021ScoreThreshold = 0.6f;
inline constexpr float kYunetNmsIou = 0.3f;
// Larger images are scaled down to this long side before detection (and the
// results scaled back): YuNet was trained on 640x640 crops, so a face filling
// a 12-megapixel photo is far larger than anything it has seen, and the cost
// grows with the pixel count.
inline constexpr int kYunetMaxSide = 1280;

}  // namespace visionfs::analysis
