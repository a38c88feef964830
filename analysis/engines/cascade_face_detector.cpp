#include "analysis/engines/cascade_face_detector.h"

#include "analysis/core/analyzer.h"
#include "analysis/core/factories.h"
#include "analysis/engines/region_geometry.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace visionfs::analysis {

namespace {

constexpr double kScaleFactor = 1.1;
constexpr int kMinSupport = 3;
constexpr int kMinFace = 20;  // the frontal cascade's window size
constexpr double kGroupEps = 0.2;  // what cv::groupRectangles uses
constexpr float kDuplicateIou = 0.3f;
constexpr float kNestedContainment = 0.7f;

bool rect_less(const cv::Rect& a, const cv::Rect& b) {
  return std::tie(a.x, a.y, a.width, a.height) < std::tie(b.x, b.y, b.width, b.height);
}

struct Group {
  cv::Rect2f box;
  int support = 0;
};

// Clusters raw windows the way cv::groupRectangles does (SimilarRects), but
// keeps the count. Sorting first makes the result independent of the order
// in which the cascade's parallel loop produced the windows.
std::vector<Group> group_windows(std::vector<cv::Rect> windows) {
  // cv::partition takes &windows[0], undefined on an empty vector (UBSan).
  if (windows.empty()) return {};
  std::sort(windows.begin(), windows.end(), rect_less);
  std::vector<int> labels;
  const int count = cv::partition(windows, labels, cv::SimilarRects(kGroupEps));
  std::vector<Group> groups(static_cast<std::size_t>(count));
  std::vector<cv::Rect2d> sums(groups.size(), cv::Rect2d(0, 0, 0, 0));
  for (std::size_t i = 0; i < windows.size(); ++i) {
    auto label = static_cast<std::size_t>(labels[i]);
    sums[label].x += windows[i].x;
    sums[label].y += windows[i].y;
    sums[label].width += windows[i].width;
    sums[label].height += windows[i].height;
    groups[label].support += 1;
  }
  std::vector<Group> kept;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].support < kMinSupport) continue;
    const double n = groups[g].support;
    groups[g].box = cv::Rect2f(static_cast<float>(sums[g].x / n), static_cast<float>(sums[g].y / n),
                               static_cast<float>(sums[g].width / n), static_cast<float>(sums[g].height / n));
    kept.push_back(groups[g]);
  }
  return kept;
}

}  // namespace

float cascade_face_score(int support, int eyes) {
  const float s = 0.8f * (1.0f - std::exp(-static_cast<float>(std::max(support, 0)) / 8.0f)) +
                  0.1f * static_cast<float>(std::clamp(eyes, 0, 2));
  return std::clamp(s, 0.0f, 1.0f);
}

CascadeFaceDetector::CascadeFaceDetector(std::filesystem::path face_cascade, std::filesystem::path eye_cascade)
    : face_path_(std::move(face_cascade)), eye_path_(std::move(eye_cascade)), pool_([this] { return load(); }) {
  for (const auto& path : {face_path_, eye_path_}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      throw AnalyzerUnavailable("Haar cascade not installed: " + path.string() + " (Debian package opencv-data)");
    }
  }
  // Load one pair now so a damaged file makes the engine unavailable at
  // start-up instead of failing every image; the lease returns it to the pool.
  auto warm = pool_.acquire();
}

std::unique_ptr<CascadeFaceDetector::Cascades> CascadeFaceDetector::load() const {
  auto cascades = std::make_unique<Cascades>();
  auto load_one = [](cv::CascadeClassifier& cascade, const std::filesystem::path& path) {
    bool loaded = false;
    try {
      loaded = cascade.load(path.string()) && !cascade.empty();
    } catch (const cv::Exception&) {
      // A malformed XML file throws from the parser instead of returning false.
    }
    if (!loaded) throw AnalyzerUnavailable("Haar cascade does not load: " + path.string());
  };
  load_one(cascades->face, face_path_);
  load_one(cascades->eye, eye_path_);
  return cascades;
}

std::vector<Landmark> CascadeFaceDetector::find_eyes(Cascades& cascades, const cv::Mat& gray,
                                                     const cv::Rect& face) const {
  // Eyes sit in the upper part of a frontal face box.
  cv::Rect upper(face.x, face.y, face.width, static_cast<int>(std::lround(face.height * 0.6)));
  upper &= cv::Rect(0, 0, gray.cols, gray.rows);
  if (upper.width < 4 || upper.height < 4) return {};
  const double zoom = static_cast<double>(kEyeFaceWidth) / upper.width;
  cv::Mat roi;
  cv::resize(gray(upper), roi, cv::Size(), zoom, zoom, zoom > 1 ? cv::INTER_LINEAR : cv::INTER_AREA);

  std::vector<cv::Rect> eyes;
  std::vector<int> support;
  const int min_eye = kEyeFaceWidth / 10, max_eye = kEyeFaceWidth / 2;
  cascades.eye.detectMultiScale(roi, eyes, support, kScaleFactor, 3, 0, cv::Size(min_eye, min_eye),
                                cv::Size(max_eye, max_eye));

  // Best candidate on each side of the face: most support, then the larger,
  // then by position so ties resolve the same way every time.
  struct Best {
    int index = -1;
  } image_left, image_right;
  auto better = [&](int i, int j) {
    return std::make_tuple(support[i], eyes[i].area(), -eyes[i].y, -eyes[i].x) >
           std::make_tuple(support[j], eyes[j].area(), -eyes[j].y, -eyes[j].x);
  };
  const double centre = roi.cols / 2.0;
  for (int i = 0; i < static_cast<int>(eyes.size()); ++i) {
    const double cx = eyes[i].x + eyes[i].width / 2.0;
    Best& side = cx < centre ? image_left : image_right;
    if (side.index < 0 || better(i, side.index)) side.index = i;
  }

  std::vector<Landmark> landmarks;
  auto add = [&](const Best& side, const char* type) {
    if (side.index < 0) return;
    const cv::Rect& e = eyes[static_cast<std::size_t>(side.index)];
    cv::Point2f p(static_cast<float>(upper.x + (e.x + e.width / 2.0) / zoom),
                  static_cast<float>(upper.y + (e.y + e.height / 2.0) / zoom));
    landmarks.push_back({type, p});
  };
  // Google Vision names landmarks from the viewer's side ("LEFT_EYE,
  // typically, is the person's right eye"), as YuNet's output does.
  add(image_left, "LEFT_EYE");
  add(image_right, "RIGHT_EYE");
  return landmarks;
}

std::vector<DetectedFace> CascadeFaceDetector::detect(const cv::Mat& bgr) const {
  if (bgr.empty()) return {};
  const int long_side = std::max(bgr.cols, bgr.rows);
  const double scale = long_side > kMaxSide ? static_cast<double>(kMaxSide) / long_side : 1.0;

  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  if (scale < 1.0) cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::equalizeHist(gray, gray);
  if (gray.cols < kMinFace || gray.rows < kMinFace) return {};

  auto cascades = [&] {
    try {
      return pool_.acquire();
    } catch (const AnalyzerUnavailable& e) {
      // The files loaded at start-up but no longer do (removed meanwhile).
      throw AnalysisError(ErrorCode::kUnavailable, e.what());
    }
  }();
  std::vector<cv::Rect> windows;
  std::vector<int> levels;
  std::vector<double> weights;
  // minNeighbors 0 returns the raw windows, which group_windows() counts.
  cascades->face.detectMultiScale(gray, windows, levels, weights, kScaleFactor, 0, 0, cv::Size(kMinFace, kMinFace),
                                  cv::Size(), true);

  struct Candidate {
    DetectedFace face;
  };
  std::vector<Candidate> candidates;
  for (const auto& group : group_windows(std::move(windows))) {
    Candidate c;
    cv::Rect face_rect(cv::Point(static_cast<int>(std::lround(group.box.x)), static_cast<int>(std::lround(group.box.y))),
                       cv::Size(static_cast<int>(std::lround(group.box.width)),
                                static_cast<int>(std::lround(group.box.height))));
    c.face.landmarks = find_eyes(*cascades, gray, face_rect);
    c.face.score = cascade_face_score(group.support, static_cast<int>(c.face.landmarks.size()));
    const float inv = static_cast<float>(1.0 / scale);
    c.face.box = cv::Rect2f(group.box.x * inv, group.box.y * inv, group.box.width * inv, group.box.height * inv);
    for (auto& l : c.face.landmarks) l.position *= inv;
    candidates.push_back(std::move(c));
  }

  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::make_tuple(-a.face.score, a.face.box.y, a.face.box.x, a.face.box.width) <
           std::make_tuple(-b.face.score, b.face.box.y, b.face.box.x, b.face.box.width);
  });
  std::vector<DetectedFace> faces;
  for (auto& c : candidates) {
    bool duplicate = std::any_of(faces.begin(), faces.end(), [&](const DetectedFace& kept) {
      return box_iou(kept.box, c.face.box) > kDuplicateIou ||
             box_containment(kept.box, c.face.box) > kNestedContainment;
    });
    if (!duplicate) faces.push_back(std::move(c.face));
  }
  return faces;
}

FaceDetectorPtr make_cascade_face_detector(const AnalysisOptions& /*options*/) {
  const std::filesystem::path dir = std::filesystem::path(VISIONFS_OPENCV_DATA_DIR) / "haarcascades";
  return std::make_shared<const CascadeFaceDetector>(dir / "haarcascade_frontalface_alt.xml",
                                                     dir / "haarcascade_eye.xml");
}

}  // namespace visionfs::analysis
