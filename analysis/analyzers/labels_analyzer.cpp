// labels: MobileNetV2 (int8, ImageNet-1k) image classification, shaped like
// Google's labelAnnotations. See docs/analyzers/labels.md.
//
// Owns: the class names and a pool of networks (one per concurrent worker,
// loaded on first use). Thread-safety: analyze() is const; each call leases
// its own cv::dnn::Net.

#include "analysis/engines/class_hierarchy.h"
#include "analysis/engines/dnn_net_pool.h"
#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"
#include "analysis/core/model_files.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <mutex>
#include <numeric>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

namespace visionfs::analysis {

namespace {

constexpr int kClasses = 1000;
constexpr int kCrop = 224;
// The reporting rule: the best labels up to kMaxLabels whose score is at
// least kMinScore, and always the best one. Below 5% a 1000-way softmax is
// mostly noise (messi5.jpg's third class is 0.4%), and ImageNet's own
// measure is the top five.
constexpr std::size_t kMaxLabels = 5;
constexpr float kMinScore = 0.05f;

// Broader labels (WordNet hypernyms of the classes, class_hierarchy.h): a
// concept is reported when the classes under it add up to kMinBroadScore,
// at most kMaxBroadLabels of them, and never the concepts too abstract to
// tell a user anything.
constexpr double kMinBroadScore = 0.5;
constexpr std::size_t kMaxBroadLabels = 10;
const std::set<std::string> kTooAbstract = {
    "entity",      "physical entity", "abstraction", "object",    "whole",     "living thing",
    "organism",    "artifact",        "instrumentality", "matter", "substance", "solid",
    "thing",       "unit",            "part",        "causal agent", "chordate", "vertebrate",
    "placental",   "group",           "relation",    "measure",   "attribute", "structure",
    "psychological feature", "communication", "craniate"};

// WordNet's synset id as ImageNet writes it: "n02121808".
std::string wordnet_id(std::uint32_t offset) {
  char id[16];
  std::snprintf(id, sizeof id, "n%08u", offset);
  return id;
}

struct ClassName {
  std::string description;            // the first synonym: "fox squirrel"
  std::vector<std::string> synonyms;  // all of them, in the file's order
};

std::vector<ClassName> parse_names(const std::vector<std::string>& lines) {
  std::vector<ClassName> names;
  for (std::size_t i = 0; i < kClasses; ++i) {
    ClassName name;
    std::size_t start = 0;
    const std::string& line = lines[i];
    while (start <= line.size()) {
      std::size_t comma = line.find(',', start);
      if (comma == std::string::npos) comma = line.size();
      std::string part = line.substr(start, comma - start);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      if (!part.empty()) name.synonyms.push_back(part);
      start = comma + 1;
    }
    name.description = name.synonyms.empty() ? "class " + std::to_string(i) : name.synonyms.front();
    names.push_back(std::move(name));
  }
  return names;
}

class LabelsAnalyzer final : public Analyzer {
 public:
  LabelsAnalyzer(std::unique_ptr<NetPool> nets, std::vector<ClassName> names)
      : nets_(std::move(nets)), names_(std::move(names)) {}

  std::string name() const override { return "labels"; }
  std::string version() const override { return "2"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 14, 0);  // a 224x224 network input
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const std::vector<float> probabilities = classify(input.image.pixels);
    std::vector<int> order(kClasses);
    std::iota(order.begin(), order.end(), 0);
    // Stable, so equal scores keep class order and the output is repeatable.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return probabilities[static_cast<std::size_t>(a)] > probabilities[static_cast<std::size_t>(b)];
    });
    auto labels = nlohmann::json::array();
    for (std::size_t rank = 0; rank < kMaxLabels; ++rank) {
      const int index = order[rank];
      const float score = probabilities[static_cast<std::size_t>(index)];
      if (rank > 0 && score < kMinScore) break;
      const auto& name = names_[static_cast<std::size_t>(index)];
      labels.push_back({{"description", name.description},
                        {"score", score_value(score)},
                        {"topicality", score_value(score)},
                        {"classIndex", index},
                        {"synonyms", name.synonyms}});
    }
    add_broad_labels(probabilities, labels);
    return {{"model", "mobilenetv2-12-int8-imagenet1k"}, {"labels", std::move(labels)}};
  }

 private:
  // WordNet is read on the first analysis, not at mount (about 0.3 s).
  const ClassHierarchy& hierarchy() const {
    std::call_once(hierarchy_once_, [this] {
      std::vector<std::vector<std::string>> synonyms;
      for (const auto& n : names_) synonyms.push_back(n.synonyms);
      hierarchy_ = ClassHierarchy::load(ClassHierarchy::kDataNoun, synonyms);
    });
    return hierarchy_;
  }

  // Each concept above the classes, scored by the probability of every
  // class under it; its topicality is that score weighed by how specific
  // the concept is (its depth over its classes' depth), so "cat" is more
  // topical than "animal" at the same score. Listed from specific to general.
  void add_broad_labels(const std::vector<float>& p, nlohmann::json& labels) const {
    const ClassHierarchy& h = hierarchy();
    std::unordered_map<std::uint32_t, double> score, specific;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const auto& chain = h.chain(i);
      if (p[i] < 1e-4f || chain.size() < 2) continue;
      const double leaf_depth = static_cast<double>(chain.size() - 1);
      for (std::size_t k = 1; k < chain.size(); ++k) {
        score[chain[k]] += p[i];
        specific[chain[k]] += p[i] * static_cast<double>(chain.size() - 1 - k) / leaf_depth;
      }
    }
    std::set<std::string> seen;
    for (const auto& l : labels) seen.insert(l["description"].get<std::string>());
    std::vector<std::pair<double, std::uint32_t>> broad;
    for (const auto& [synset, s] : score) {
      const std::string& name = h.name(synset);
      if (s >= kMinBroadScore && !kTooAbstract.count(name) && !seen.count(name)) broad.emplace_back(s, synset);
    }
    // Lowest score first is most specific first along a chain; at equal
    // scores the more specific concept first, then by name.
    std::sort(broad.begin(), broad.end(), [&](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      if (specific[a.second] != specific[b.second]) return specific[a.second] > specific[b.second];
      return h.name(a.second) < h.name(b.second);
    });
    if (broad.size() > kMaxBroadLabels) broad.erase(broad.begin(), broad.end() - kMaxBroadLabels);
    for (const auto& [s, synset] : broad) {
      labels.push_back({{"description", h.name(synset)},
                        {"score", score_value(static_cast<float>(s))},
                        {"topicality", score_value(static_cast<float>(specific[synset]))},
                        {"wordnet", wordnet_id(synset)}});
    }
  }

  std::vector<float> classify(const cv::Mat& bgr) const {
    // Resize the short side to 256 and take the centre 224x224, as the model
    // was evaluated; done as one crop-then-resize so a very long, thin image
    // never becomes a huge intermediate.
    const double side = std::min(bgr.cols, bgr.rows) * (static_cast<double>(kCrop) / 256.0);
    const int crop_side = std::max(1, static_cast<int>(std::lround(side)));
    const cv::Rect crop((bgr.cols - crop_side) / 2, (bgr.rows - crop_side) / 2, crop_side, crop_side);
    cv::Mat resized;
    cv::resize(bgr(crop), resized, cv::Size(kCrop, kCrop), 0, 0,
               crop_side > kCrop ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat blob = cv::dnn::blobFromImage(resized, 1.0 / 255.0, cv::Size(), cv::Scalar(), /*swapRB=*/true,
                                          false, CV_32F);
    // ImageNet mean and standard deviation, per RGB plane.
    const float mean[3] = {0.485f, 0.456f, 0.406f};
    const float stddev[3] = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; ++c) {
      cv::Mat plane(kCrop, kCrop, CV_32F, blob.ptr<float>(0, c));
      plane.convertTo(plane, CV_32F, 1.0 / stddev[c], -mean[c] / stddev[c]);
    }

    cv::Mat logits;
    {
      auto net = nets_->acquire();
      net->setInput(blob);
      logits = net->forward().clone();
    }
    CV_Assert(logits.total() == static_cast<std::size_t>(kClasses));
    // Softmax, shifted by the maximum for numerical safety.
    const float* l = logits.ptr<float>();
    const float top = *std::max_element(l, l + kClasses);
    std::vector<float> p(kClasses);
    double sum = 0;
    for (int i = 0; i < kClasses; ++i) {
      p[static_cast<std::size_t>(i)] = std::exp(l[i] - top);
      sum += p[static_cast<std::size_t>(i)];
    }
    for (auto& v : p) v = static_cast<float>(v / sum);
    return p;
  }

  std::unique_ptr<NetPool> nets_;
  std::vector<ClassName> names_;
  mutable std::once_flag hierarchy_once_;
  mutable ClassHierarchy hierarchy_;
};

}  // namespace

AnalyzerPtr make_labels_analyzer(const AnalysisOptions& options) {
  const auto model = require_model_file(options, "classify/mobilenetv2-12-int8.onnx");
  auto names = parse_names(read_model_lines(require_model_file(options, "classify/imagenet1000.names"), kClasses));
  return std::make_shared<LabelsAnalyzer>(make_net_pool(model), std::move(names));
}

}  // namespace visionfs::analysis
