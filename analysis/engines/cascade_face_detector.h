#pragma once
// CascadeFaceDetector: faces from OpenCV's Haar cascades (Debian package
// opencv-data), the face engine used when the YuNet model is not installed.
//
// Owns: a pool of loaded cascades (frontal face "alt" plus the eye cascade),
// one per concurrent caller, because cv::CascadeClassifier keeps per-call
// state and is not thread-safe. The first pair is loaded by the constructor,
// so a damaged file is reported at start-up.
// Thread-safety: detect() is const and thread-safe.
// Preconditions: the cascade files exist (make_cascade_face_detector checks).
//
// What it does, in the order detect() does it:
//  1. Works on a grey, histogram-equalised copy whose long side is at most
//     kMaxSide pixels; boxes and landmarks are scaled back to the input.
//  2. Collects every window the frontal cascade accepts (minNeighbors 0) and
//     groups them itself, so it knows each group's support n (how many
//     windows, over positions and scales, agree). Groups with n < 3 are
//     noise. The cascade's level weights are not used: for a window that
//     passes every stage they are the last stage's sum, which measured
//     54..55 for true faces and false positives alike on the opencv-doc
//     photos, so they carry no confidence.
//  3. Looks for eyes with the eye cascade inside the upper 60% of each face,
//     upscaled so the face is kEyeFaceWidth pixels wide (the eye cascade's
//     window is 20x20, larger than the eyes of a small face).
//  4. Scores each face with cascade_face_score() and suppresses duplicates
//     and nested boxes (IoU > 0.3, or > 70% of the smaller box inside the
//     larger), keeping the higher score.
//
// Landmarks follow Google Vision: LEFT_EYE is the person's left eye, which
// appears on the image's right for a face looking at the camera.

#include "analysis/engines/detectors.h"
#include "analysis/engines/instance_pool.h"

#include <opencv2/objdetect.hpp>

#include <filesystem>

namespace visionfs::analysis {

// 0..1 confidence of a cascade face from its support n (grouped windows)
// and how many eyes (0..2) were found inside it:
//   0.8 * (1 - exp(-n / 8)) + 0.1 * eyes
// n = 3 gives 0.25 without eyes; n = 14 (messi5.jpg) 0.66, plus 0.1 per eye.
// The curve saturates because support beyond ~25 windows (large, sharp,
// frontal faces) adds no information.
float cascade_face_score(int support, int eyes);

class CascadeFaceDetector final : public FaceDetector {
 public:
  // Larger inputs are downscaled to this long side before detection.
  static constexpr int kMaxSide = 1024;
  static constexpr int kEyeFaceWidth = 120;

  // Throws AnalyzerUnavailable when a file is missing or does not load.
  CascadeFaceDetector(std::filesystem::path face_cascade, std::filesystem::path eye_cascade);

  std::string name() const override { return "haar-cascade"; }
  std::vector<DetectedFace> detect(const cv::Mat& bgr) const override;

 private:
  struct Cascades {
    cv::CascadeClassifier face;
    cv::CascadeClassifier eye;
  };
  std::unique_ptr<Cascades> load() const;
  std::vector<Landmark> find_eyes(Cascades& cascades, const cv::Mat& gray, const cv::Rect& face) const;

  std::filesystem::path face_path_;
  std::filesystem::path eye_path_;
  mutable InstancePool<Cascades> pool_;
};

}  // namespace visionfs::analysis
