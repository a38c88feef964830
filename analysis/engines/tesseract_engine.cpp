#include "analysis/engines/tesseract_engine.h"

#include "analysis/core/analyzer.h"
#include "analysis/core/factories.h"
#include "analysis/core/json_values.h"

#include <opencv2/imgproc.hpp>
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/resultiterator.h>


#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <omp.h>

namespace visionfs::analysis {

namespace {

// Tesseract parallelises with OpenMP (4 threads per call). Our worker pool
// already uses every core, and on 2 busy cores its threads made one page take
// 1.8-4.5 s instead of 0.26 s. The setting is per thread, so each worker
// turns it off once, before its first call into Tesseract.
void disable_openmp_on_this_thread() {
  thread_local bool done = false;
  if (done) return;
  done = true;
  omp_set_max_active_levels(0);
}

bool has_model(const std::filesystem::path& dir, const std::string& language) {
  std::error_code ec;
  return !dir.empty() && std::filesystem::is_regular_file(dir / (language + ".traineddata"), ec);
}

// Tesseract sometimes reports a "word" that is only blanks.
std::string trimmed(std::string s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && blank(s[start])) ++start;
  return s.substr(start);
}

cv::Rect to_rect(int left, int top, int right, int bottom, double inv_scale) {
  auto s = [&](int v) { return static_cast<int>(std::lround(v * inv_scale)); };
  return cv::Rect(cv::Point(s(left), s(top)), cv::Point(s(right), s(bottom)));
}

// Tesseract reads upright text: a symbol's quad is its box. (Lines and
// words leave their quad empty: the box says the same.)
TextQuad quad_of(const cv::Rect& box) {
  const cv::Point2f tl(static_cast<float>(box.x), static_cast<float>(box.y));
  const cv::Point2f br(static_cast<float>(box.br().x), static_cast<float>(box.br().y));
  return {tl, {br.x, tl.y}, br, {tl.x, br.y}};
}

// A finished line: its words joined, its box around them, its confidence
// the words' weighted by length (a line is as sure as most of its letters).
void close_line(TextLine& line, std::vector<TextLine>& lines) {
  if (!line.words.empty()) {
    cv::Rect box = line.words.front().box;
    float sum = 0;
    std::size_t chars = 0;
    for (const auto& w : line.words) {
      box |= w.box;
      if (!line.text.empty()) line.text += ' ';
      line.text += w.text;
      sum += w.confidence * static_cast<float>(w.text.size());
      chars += w.text.size();
    }
    line.box = box;
    line.confidence = chars > 0 ? sum / static_cast<float>(chars) : 0.0f;
    line.engine = "tesseract";
    lines.push_back(std::move(line));
  }
  line = TextLine{};
}

// The word's characters with their boxes (clipped to the word's), from a
// copy of the iterator standing at the word's first symbol.
std::vector<TextSymbol> word_symbols(const tesseract::ResultIterator& at_word, double inv, const cv::Rect& word) {
  std::vector<TextSymbol> symbols;
  tesseract::ResultIterator it(at_word);
  do {
    std::unique_ptr<char[]> text(it.GetUTF8Text(tesseract::RIL_SYMBOL));
    int left = 0, top = 0, right = 0, bottom = 0;
    if (text && *text.get() != '\0' && it.BoundingBox(tesseract::RIL_SYMBOL, &left, &top, &right, &bottom)) {
      cv::Rect box = to_rect(left, top, right, bottom, inv) & word;
      if (box.area() == 0) box = word;
      symbols.push_back({valid_utf8(text.get()), quad_of(box),
                         std::clamp(it.Confidence(tesseract::RIL_SYMBOL) / 100.0f, 0.0f, 1.0f)});
    }
  } while (!it.IsAtFinalElement(tesseract::RIL_WORD, tesseract::RIL_SYMBOL) && it.Next(tesseract::RIL_SYMBOL));
  return symbols;
}

// Lines of words from Tesseract's result iterator, in the image's frame.
// The LSTM engine sometimes reports word boxes reaching into the lines
// above and below (e.g. "have" spanning y 28..56 on a line at 38..50 in
// imageTextN.png); its line boxes are right. So words are clipped to
// their line's band, and a line spans its kept words horizontally.
std::vector<TextLine> collect_lines(tesseract::ResultIterator& it, double inv, const cv::Rect& frame) {
  std::vector<TextLine> lines;
  TextLine line;
  cv::Rect line_band;
  int block = -1, paragraph = -1;
  do {
    if (it.Empty(tesseract::RIL_WORD)) continue;
    int left = 0, top = 0, right = 0, bottom = 0;
    if (it.IsAtBeginningOf(tesseract::RIL_BLOCK)) ++block;
    if (it.IsAtBeginningOf(tesseract::RIL_PARA)) ++paragraph;
    if (it.IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
      close_line(line, lines);
      line.block = block;
      line.paragraph = paragraph;
      line_band = it.BoundingBox(tesseract::RIL_TEXTLINE, &left, &top, &right, &bottom)
                      ? to_rect(left, top, right, bottom, inv) & frame
                      : frame;
    }
    std::unique_ptr<char[]> text(it.GetUTF8Text(tesseract::RIL_WORD));
    if (!text) continue;
    TextWord word;
    word.text = trimmed(valid_utf8(text.get()));
    word.confidence = std::clamp(it.Confidence(tesseract::RIL_WORD) / 100.0f, 0.0f, 1.0f);
    if (word.text.empty() || word.confidence < TesseractEngine::kMinWordConfidence) continue;
    if (!it.BoundingBox(tesseract::RIL_WORD, &left, &top, &right, &bottom)) continue;
    cv::Rect box = to_rect(left, top, right, bottom, inv) & frame;
    const int y0 = std::max(box.y, line_band.y), y1 = std::min(box.br().y, line_band.br().y);
    if (y1 > y0) box = cv::Rect(box.x, y0, box.width, y1 - y0);
    if (box.area() == 0) continue;
    word.box = box;
    word.symbols = word_symbols(it, inv, box);
    word.engine = "tesseract";
    line.words.push_back(std::move(word));
  } while (it.Next(tesseract::RIL_WORD));
  close_line(line, lines);
  return lines;
}

}  // namespace

std::filesystem::path find_tessdata_dir(const std::string& language) {
  const std::filesystem::path configured = VISIONFS_TESSDATA_DIR;
  if (!configured.empty()) return has_model(configured, language) ? configured : std::filesystem::path();
  std::vector<std::filesystem::path> candidates;
  if (const char* prefix = std::getenv("TESSDATA_PREFIX"); prefix != nullptr && *prefix != '\0') {
    candidates.emplace_back(prefix);
  }
  for (const char* dir : {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                          "/usr/share/tessdata", "/usr/local/share/tessdata"}) {
    candidates.emplace_back(dir);
  }
  for (const auto& dir : candidates) {
    if (has_model(dir, language)) return dir;
  }
  return {};
}

TesseractEngine::TesseractEngine(std::filesystem::path tessdata, std::string language)
    : tessdata_(std::move(tessdata)), language_(std::move(language)), pool_([this] { return init(); }) {
  if (!has_model(tessdata_, language_)) {
    throw AnalyzerUnavailable("Tesseract language data not installed: " + language_ +
                              ".traineddata (Debian package tesseract-ocr-" + language_ + ")");
  }
}

TesseractEngine::~TesseractEngine() = default;

std::unique_ptr<tesseract::TessBaseAPI> TesseractEngine::init() const {
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  // LSTM only: the legacy classifier adapts to the pages it has seen, so a
  // reused handle would read the same image differently over time.
  if (api->Init(tessdata_.c_str(), language_.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    throw AnalysisError(ErrorCode::kUnavailable, "Tesseract failed to load " + language_ + ".traineddata");
  }
  api->SetPageSegMode(tesseract::PSM_AUTO);
  // Tesseract prints notes about the page it read ("Detected 4 diacritics",
  // "Empty page!!") and Leptonica its complaints to stderr, which is the
  // daemon's log: words about a user's image have no place there.
  api->SetVariable("debug_file", "/dev/null");
  setMsgSeverity(L_SEVERITY_NONE);
  return api;
}

std::vector<TextLine> TesseractEngine::read(const cv::Mat& bgr) const {
  if (bgr.empty() || bgr.cols < 8 || bgr.rows < 8) return {};
  const int long_side = std::max(bgr.cols, bgr.rows);
  const double scale = long_side > kMaxSide ? static_cast<double>(kMaxSide) / long_side : 1.0;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  if (scale < 1.0) cv::resize(rgb, rgb, cv::Size(), scale, scale, cv::INTER_AREA);
  const double inv = 1.0 / scale;

  disable_openmp_on_this_thread();
  auto api = pool_.acquire();
  // Tesseract copies the pixels into its own image; Clear() frees that copy
  // and the page's results whatever happens below.
  struct ClearOnExit {
    tesseract::TessBaseAPI& api;
    ~ClearOnExit() { api.Clear(); }
  } clear_on_exit{*api};
  api->SetImage(rgb.data, rgb.cols, rgb.rows, 3, static_cast<int>(rgb.step));
  if (api->Recognize(nullptr) != 0) {
    throw AnalysisError(ErrorCode::kInternal, "Tesseract recognition failed");
  }

  std::unique_ptr<tesseract::ResultIterator> it(api->GetIterator());
  if (!it) return {};
  return collect_lines(*it, inv, cv::Rect(0, 0, bgr.cols, bgr.rows));
}

TextEnginePtr make_tesseract_engine(const AnalysisOptions& /*options*/) {
  const std::string language = "eng";
  auto dir = find_tessdata_dir(language);
  if (dir.empty()) {
    throw AnalyzerUnavailable("Tesseract language data not installed: " + language +
                              ".traineddata (Debian package tesseract-ocr-" + language + ")");
  }
  return std::make_shared<const TesseractEngine>(dir, language);
}

}  // namespace visionfs::analysis
