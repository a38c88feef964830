#include "analysis/engines/class_hierarchy.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

namespace visionfs::analysis {

namespace {

struct Synset {
  std::vector<std::string> lemmas;  // lower case, '_' for spaces
  std::string first;                // as written, with spaces
  std::vector<std::uint32_t> hypernyms;
};

std::string lemma_key(std::string s) {
  std::replace(s.begin(), s.end(), ' ', '_');
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// One data.noun line: offset lex_filenum ss_type w_cnt (word lex_id)...
// p_cnt (symbol offset pos source/target)... | gloss. Counts: w_cnt is hex.
bool parse_line(const std::string& line, std::uint32_t& offset, Synset& s) {
  if (line.empty() || line[0] == ' ') return false;  // the licence header
  std::istringstream in(line);
  std::string lex, type, count_hex;
  if (!(in >> offset >> lex >> type >> count_hex)) return false;
  const int words = std::stoi(count_hex, nullptr, 16);
  for (int i = 0; i < words; ++i) {
    std::string word, lex_id;
    if (!(in >> word >> lex_id)) return false;
    if (i == 0) {
      s.first = word;
      std::replace(s.first.begin(), s.first.end(), '_', ' ');
    }
    s.lemmas.push_back(lemma_key(word));
  }
  int pointers = 0;
  in >> pointers;
  for (int i = 0; i < pointers; ++i) {
    std::string symbol, pos, source_target;
    std::uint32_t target = 0;
    if (!(in >> symbol >> target >> pos >> source_target)) return false;
    if ((symbol == "@" || symbol == "@i") && pos == "n") s.hypernyms.push_back(target);
  }
  return true;
}

// For each class, the synsets holding all its synonyms, ascending.
std::vector<std::vector<std::uint32_t>> candidates_of(const std::map<std::uint32_t, Synset>& synsets,
                                                      const std::vector<std::vector<std::string>>& classes) {
  std::unordered_map<std::string, std::vector<std::uint32_t>> by_lemma;
  for (const auto& [offset, s] : synsets) {
    for (const auto& l : s.lemmas) by_lemma[l].push_back(offset);
  }
  std::vector<std::vector<std::uint32_t>> out(classes.size());
  for (std::size_t i = 0; i < classes.size(); ++i) {
    if (classes[i].empty()) continue;
    const auto it = by_lemma.find(lemma_key(classes[i].front()));
    if (it == by_lemma.end()) continue;
    for (const auto offset : it->second) {
      const auto& lemmas = synsets.at(offset).lemmas;
      const bool all = std::all_of(classes[i].begin(), classes[i].end(), [&](const std::string& w) {
        return std::find(lemmas.begin(), lemmas.end(), lemma_key(w)) != lemmas.end();
      });
      if (all) out[i].push_back(offset);
    }
    std::sort(out[i].begin(), out[i].end());
  }
  return out;
}

// One synset per class with the offsets ascending (see the header):
// backwards, the largest candidate below the next class's bound; forwards,
// the smallest candidate above the previous class and within its bound.
std::vector<std::uint32_t> choose_ascending(const std::vector<std::vector<std::uint32_t>>& candidates) {
  const std::size_t n = candidates.size();
  std::vector<std::uint32_t> bound(n, 0), chosen(n, 0);
  std::uint32_t next = UINT32_MAX;
  for (std::size_t i = n; i-- > 0;) {
    for (auto c : candidates[i]) {
      if (c < next) bound[i] = c;
    }
    if (bound[i] != 0) next = bound[i];
  }
  std::uint32_t previous = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (auto c : candidates[i]) {
      if (c > previous && c <= bound[i]) {
        chosen[i] = c;
        break;
      }
    }
    if (chosen[i] == 0 && !candidates[i].empty()) chosen[i] = candidates[i].front();
    if (chosen[i] != 0) previous = std::max(previous, chosen[i]);
  }
  return chosen;
}

}  // namespace

ClassHierarchy ClassHierarchy::load(const std::filesystem::path& data_noun,
                                    const std::vector<std::vector<std::string>>& classes) {
  ClassHierarchy h;
  h.chains_.resize(classes.size());
  std::ifstream in(data_noun);
  if (!in) return h;
  std::map<std::uint32_t, Synset> synsets;
  std::string line;
  while (std::getline(in, line)) {
    std::uint32_t offset = 0;
    Synset s;
    if (parse_line(line, offset, s)) synsets.emplace(offset, std::move(s));
  }
  const auto chosen = choose_ascending(candidates_of(synsets, classes));
  for (std::size_t i = 0; i < classes.size(); ++i) {
    // Up the first hypernym of each synset (WordNet's main line), guarded
    // against a malformed file's cycles by the depth of WordNet (< 20).
    for (std::uint32_t at = chosen[i]; at != 0 && h.chains_[i].size() < 32;) {
      const auto it = synsets.find(at);
      if (it == synsets.end()) break;
      h.chains_[i].push_back(at);
      h.names_.emplace(at, it->second.first);
      at = it->second.hypernyms.empty() ? 0 : it->second.hypernyms.front();
    }
  }
  return h;
}

const std::vector<std::uint32_t>& ClassHierarchy::chain(std::size_t class_index) const {
  static const std::vector<std::uint32_t> kNone;
  return class_index < chains_.size() ? chains_[class_index] : kNone;
}

const std::string& ClassHierarchy::name(std::uint32_t synset) const {
  static const std::string kNone;
  const auto it = names_.find(synset);
  return it == names_.end() ? kNone : it->second;
}

}  // namespace visionfs::analysis
