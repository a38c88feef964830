// colors: dominant colours, mean brightness and a grayscale flag, shaped like
// Google Vision's imagePropertiesAnnotation. See docs/analyzers/colors.md.
//
// Stateless; analyze() is thread-safe. The k-means seeding uses the calling
// thread's cv::theRNG() (thread-local in OpenCV), which is seeded for the
// call and restored afterwards, so identical pixels give identical output.

#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace visionfs::analysis {

namespace {

// Pixels clustered, after downsampling: dominant colours of 40,000 samples
// are stable to a fraction of a percent, and k-means time grows linearly.
constexpr double kMaxSamples = 40'000;
constexpr int kClusters = 8;
constexpr double kMergeDeltaE = 10.0;    // CIE76 distance below which clusters merge
constexpr std::uint64_t kSeed = 0x5EED'C0102ULL;
// Chroma (C*ab) at which a colour counts as fully saturated for the score.
constexpr double kFullChroma = 50.0;
// A pixel with chroma below this is grey to the eye; an image is grayscale
// when no more than kColourFractionLimit of its pixels exceed it.
constexpr double kGreyChroma = 6.0;
constexpr double kColourFractionLimit = 0.01;

struct Cluster {
  cv::Vec3d lab;        // mean L*a*b*
  cv::Vec3d bgr_sum;    // sum of member pixels' 8-bit BGR
  double count = 0;
};

double chroma(const cv::Vec3d& lab) { return std::hypot(lab[1], lab[2]); }

std::string hex_colour(int r, int g, int b) {
  char text[8];
  std::snprintf(text, sizeof text, "#%02x%02x%02x", r, g, b);
  return text;
}

// Restores the thread's OpenCV RNG when the analysis is done, so a seeded
// analysis does not change random numbers elsewhere on this thread.
class SeededRng {
 public:
  explicit SeededRng(std::uint64_t seed) : saved_(cv::theRNG().state) { cv::theRNG().state = seed; }
  ~SeededRng() { cv::theRNG().state = saved_; }
  SeededRng(const SeededRng&) = delete;
  SeededRng& operator=(const SeededRng&) = delete;

 private:
  std::uint64_t saved_;
};

class ColorsAnalyzer final : public Analyzer {
 public:
  std::string name() const override { return "colors"; }
  std::string version() const override { return "1"; }
  std::uint64_t working_bytes(int width, int height) const override {
    return working_estimate(width, height, 4, 0);  // works on a downscaled copy
  }

  nlohmann::json analyze(const AnalysisInput& input) const override {
    const cv::Mat& full = input.image.pixels;
    cv::Mat small = full.isContinuous() ? full : full.clone();  // rows are reshaped below
    const double pixels = static_cast<double>(full.total());
    if (pixels > kMaxSamples) {
      const double scale = std::sqrt(kMaxSamples / pixels);
      cv::resize(full, small, cv::Size(), scale, scale, cv::INTER_AREA);
    }

    cv::Mat bgr_float, lab;
    small.convertTo(bgr_float, CV_32F, 1.0 / 255.0);
    cv::cvtColor(bgr_float, lab, cv::COLOR_BGR2Lab);  // L 0..100, a/b about -127..127
    const cv::Mat samples = lab.reshape(1, static_cast<int>(lab.total()));
    const cv::Mat bgr_rows = small.reshape(1, static_cast<int>(small.total()));

    // Brightness and the grayscale test use every sample, not the clusters.
    double lightness_sum = 0;
    int coloured = 0;
    for (int i = 0; i < samples.rows; ++i) {
      const float* p = samples.ptr<float>(i);
      lightness_sum += p[0];
      if (std::hypot(p[1], p[2]) > kGreyChroma) ++coloured;
    }
    const double n = samples.rows;

    std::vector<Cluster> clusters = cluster(samples, bgr_rows);

    double weight_sum = 0;
    std::vector<double> weights;
    for (const auto& c : clusters) {
      const double saturation = std::min(chroma(c.lab) / kFullChroma, 1.0);
      weights.push_back(c.count / n * (0.25 + 0.75 * saturation));
      weight_sum += weights.back();
    }
    std::vector<std::size_t> order(clusters.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return weights[a] > weights[b]; });

    nlohmann::json colors = nlohmann::json::array();
    for (std::size_t i : order) {
      const Cluster& c = clusters[i];
      const int blue = static_cast<int>(std::lround(c.bgr_sum[0] / c.count));
      const int green = static_cast<int>(std::lround(c.bgr_sum[1] / c.count));
      const int red = static_cast<int>(std::lround(c.bgr_sum[2] / c.count));
      colors.push_back({{"color", {{"red", red}, {"green", green}, {"blue", blue}}},
                        {"hex", hex_colour(red, green, blue)},
                        {"score", score_value(static_cast<float>(weight_sum > 0 ? weights[i] / weight_sum : 0.0))},
                        {"pixelFraction", score_value(static_cast<float>(c.count / n))}});
    }
    return {{"dominantColors", {{"colors", colors}}},
            {"meanBrightness", score_value(static_cast<float>(lightness_sum / n / 100.0))},
            {"grayscale", coloured <= kColourFractionLimit * n}};
  }

 private:
  // k-means in Lab, then clusters closer than kMergeDeltaE merged (k-means
  // splits one large uniform area into several near-identical clusters).
  static std::vector<Cluster> cluster(const cv::Mat& samples, const cv::Mat& bgr_rows) {
    const int k = std::min(kClusters, samples.rows);
    cv::Mat labels, centers;
    {
      SeededRng rng(kSeed);
      cv::kmeans(samples, k, labels,
                 cv::TermCriteria(cv::TermCriteria::EPS + cv::TermCriteria::COUNT, 20, 0.5), 1,
                 cv::KMEANS_PP_CENTERS, centers);
    }
    std::vector<Cluster> clusters(static_cast<std::size_t>(k));
    for (int i = 0; i < samples.rows; ++i) {
      Cluster& c = clusters[static_cast<std::size_t>(labels.at<int>(i))];
      const float* lab = samples.ptr<float>(i);
      const std::uint8_t* bgr = bgr_rows.ptr<std::uint8_t>(i);
      c.lab += cv::Vec3d(lab[0], lab[1], lab[2]);
      c.bgr_sum += cv::Vec3d(bgr[0], bgr[1], bgr[2]);
      c.count += 1;
    }
    std::erase_if(clusters, [](const Cluster& c) { return c.count == 0; });
    for (auto& c : clusters) c.lab /= c.count;

    // Greedy: repeatedly merge the closest pair while it is under the limit.
    for (;;) {
      double best = kMergeDeltaE;
      std::size_t a = 0, b = 0;
      for (std::size_t i = 0; i < clusters.size(); ++i) {
        for (std::size_t j = i + 1; j < clusters.size(); ++j) {
          const double d = cv::norm(clusters[i].lab - clusters[j].lab);
          if (d < best) {
            best = d;
            a = i;
            b = j;
          }
        }
      }
      if (a == b) break;
      Cluster& into = clusters[a];
      const Cluster& from = clusters[b];
      into.lab = (into.lab * into.count + from.lab * from.count) / (into.count + from.count);
      into.bgr_sum += from.bgr_sum;
      into.count += from.count;
      clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(b));
    }
    return clusters;
  }
};

}  // namespace

AnalyzerPtr make_colors_analyzer(const AnalysisOptions&) {
  return std::make_shared<ColorsAnalyzer>();
}

}  // namespace visionfs::analysis
