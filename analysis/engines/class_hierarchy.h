#pragma once
// ClassHierarchy: the WordNet hypernyms of the 1000 ImageNet classes, so a
// classifier's "tabby" also says "domestic cat", "cat", "feline",
// "carnivore", "mammal", "animal", as Google's labels run from specific to
// general.
//
// The ImageNet classes are WordNet 3.0 noun synsets, but the label file
// (opencv-doc's classification_classes_ILSVRC2012.txt) names them by their
// synonyms only. Each class is found in WordNet's data.noun (Debian's
// wordnet-base) as the synset holding all of its synonyms; where several do
// ("crane" the bird and the machine), the classes' own order decides: the
// 1000 classes are listed in ascending synset offset, so each class takes
// the candidate that keeps the offsets ascending (the smallest that still
// leaves room for the classes after it). Checked against the published
// ILSVRC2012 synset list: 998 of 1000 match; "corn" and "groom" get a
// sibling sense with the same hypernyms but one.
//
// Owns: for each class, its hypernym chain (synset offsets, most specific
// first) and the names of the synsets on those chains. Immutable after
// load(); thread-safe.

#include <cstdint>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace visionfs::analysis {

class ClassHierarchy {
 public:
  // Where Debian's wordnet-base puts the noun database.
  static constexpr const char* kDataNoun = "/usr/share/wordnet/data.noun";

  // `classes`: each class's synonyms, in the label file's order. An empty
  // hierarchy (every chain empty) when the file cannot be read.
  static ClassHierarchy load(const std::filesystem::path& data_noun,
                             const std::vector<std::vector<std::string>>& classes);

  bool empty() const { return names_.empty(); }
  // The class's own synset first, then its hypernyms up to "entity";
  // empty when the class was not found.
  const std::vector<std::uint32_t>& chain(std::size_t class_index) const;
  // The synset's first lemma, with spaces: "domestic cat".
  const std::string& name(std::uint32_t synset) const;

 private:
  std::vector<std::vector<std::uint32_t>> chains_;
  std::unordered_map<std::uint32_t, std::string> names_;
};

}  // namespace visionfs::analysis
