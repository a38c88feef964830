// visionfs's files read by the cloud APIs' own software (issue 9): every
// NAME.json of a set of photos is decoded with the .proto files of Google's
// Node client (@google-cloud/vision from npm: no unknown key, no type error,
// a lossless round trip), parsed strictly by Python's protobuf json_format,
// and read by a script written the way Google's samples read a response;
// the shipped jq filters' Azure and AWS shapes type-check against those
// SDKs' TypeScript types. tests/clients/README.md says how it is set up.

#include "integration/sidecar_support.h"

#include <filesystem>
#include <map>
#include <sstream>

namespace visionfs::itest {
namespace {

const std::string kClientsDir = std::string(VISIONFS_SOURCE_DIR) + "/tests/clients";
const std::string kJqDir = std::string(VISIONFS_SOURCE_DIR) + "/scripts/jq";

// The sample script's summary lines, by file name.
std::map<std::string, nlohmann::json> sample_counts(const std::string& out) {
  std::map<std::string, nlohmann::json> counts;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("COUNTS ", 0) != 0) continue;
    const auto space = line.find(' ', 7);
    const std::string file = std::filesystem::path(line.substr(7, space - 7)).filename();
    counts[file] = nlohmann::json::parse(line.substr(space + 1));
  }
  return counts;
}

class GoogleConformanceTest : public SidecarFixture {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kClientsDir + "/node_modules/@google-cloud/vision")) {
      GTEST_SKIP() << "the client libraries are not installed: npm ci --prefix tests/clients (scripts/test.sh does)";
    }
    SidecarFixture::SetUp();
  }

  // Copies each photo in, and NAME.json of each out to the scratch
  // directory; returns the copies' paths, shell-quoted and space-separated.
  std::string name_jsons(const std::vector<std::string>& photos) {
    std::string files;
    for (const auto& photo : photos) {
      if (photo != "broken.jpg") put(photo, photo);
      const auto r = run("cat " + qm(photo + ".json") + " > " + qs(photo + ".json"), 120);
      EXPECT_TRUE(succeeded(r)) << photo << ": " << r.describe();
      files += " " + qs(photo + ".json");
    }
    return files;
  }
};

TEST_F(GoogleConformanceTest, GooglesClientAndProtobufAcceptEveryNameJsonStrictly) {
  write_malformed(Malformed::kTruncatedJpeg, s("broken-source.jpg"));
  put(s("broken-source.jpg"), "broken.jpg");
  const std::vector<std::string> photos = {"messi5.jpg", "squirrel_cls.jpg", "imageTextN.png", "imageTextR.png",
                                           "HappyFish.jpg", "fruits.jpg", "baboon.jpg", "building.jpg",
                                           "starry_night.jpg", "broken.jpg"};
  const std::string files = name_jsons(photos);
  const std::string node = "cd " + shell_quote(kClientsDir) + " && node ";
  const auto walk = run(node + "check_response.js" + files, 120);
  EXPECT_TRUE(succeeded(walk)) << walk.out << walk.err;
  const std::string protos = " node_modules/@google-cloud/vision/build/protos node_modules/google-gax/build/protos";
  const auto strict = run("cd " + shell_quote(kClientsDir) + " && /usr/bin/python3 check_response.py" + protos +
                              " --" + files, 120);
  EXPECT_TRUE(succeeded(strict)) << strict.out << strict.err;
  EXPECT_NE(strict.out.find("ok "), std::string::npos) << strict.out;

  const auto sample = run(node + "sample_client.js" + files, 120);
  ASSERT_TRUE(succeeded(sample)) << sample.err;
  auto counts = sample_counts(sample.out);
  ASSERT_EQ(counts.size(), photos.size()) << sample.out.substr(0, 2000);
  std::cout << "sample counts:\n";
  for (const auto& [file, c] : counts) std::cout << "  " << file << " " << c.dump() << "\n";
  // What the samples print agrees with the per-analyzer sidecars.
  EXPECT_EQ(counts["messi5.jpg.json"]["faces"], read_json("messi5.jpg.faces.json")["faces"].size());
  EXPECT_EQ(counts["imageTextN.png.json"]["words"], [&] {
    std::size_t words = 0;
    const auto text = read_json("imageTextN.png.text.json");
    for (const auto& line : text["lines"]) words += line["words"].size();
    return words;
  }());
  EXPECT_GE(counts["imageTextN.png.json"]["paragraphs"].get<int>(), 2) << "a scanned page keeps its paragraphs";
  EXPECT_GT(counts["imageTextN.png.json"]["symbols"].get<int>(), 500);
  EXPECT_GT(counts["fruits.jpg.json"]["colors"].get<int>(), 0);
  EXPECT_EQ(counts["messi5.jpg.json"]["cropHints"], 2);
  if (!models_dir().empty()) {
    EXPECT_GE(counts["messi5.jpg.json"]["labels"].get<int>(), 5) << "classes, broader labels and object names";
    EXPECT_EQ(counts["messi5.jpg.json"]["racy"], "POSSIBLE");
  }
  EXPECT_EQ(counts["broken.jpg.json"]["error"], 3) << "one google.rpc.Status: INVALID_ARGUMENT";
}

TEST_F(GoogleConformanceTest, TheJqFiltersGiveWhatTheAzureAndAwsSdksTypeCheck) {
  const std::vector<std::pair<std::string, std::string>> filters = {
      {"azure-image-analysis", "AzureImageAnalysis"},
      {"aws-detect-faces", "AwsDetectFaces"},
      {"aws-detect-labels", "AwsDetectLabels"},
      {"aws-detect-text", "AwsDetectText"}};
  std::string args;
  for (const char* photo : {"messi5.jpg", "imageTextR.png", "squirrel_cls.jpg"}) {
    put(photo, photo);
    for (const auto& [filter, type] : filters) {
      const std::string out = s(std::string(photo) + "." + filter + ".json");
      // Every sidecar of the image, as the filters' usage says.
      const auto r = run("jq -s -f " + shell_quote(kJqDir + "/" + filter + ".jq") + " " + qm(photo) +
                             ".*.json > " + shell_quote(out),
                         120);
      ASSERT_TRUE(succeeded(r)) << filter << " on " << photo << ": " << r.describe();
      args += " " + type + "=" + shell_quote(out);
    }
  }
  const auto faces = parse_or_fail(read_local_file(s("messi5.jpg.aws-detect-faces.json")), "faces");
  EXPECT_EQ(faces["FaceDetails"].size(), read_json("messi5.jpg.faces.json")["faces"].size());
  const auto text = parse_or_fail(read_local_file(s("imageTextR.png.aws-detect-text.json")), "text");
  EXPECT_GT(text["TextDetections"].size(), 50u);
  const auto azure = parse_or_fail(read_local_file(s("squirrel_cls.jpg.azure-image-analysis.json")), "azure");
  EXPECT_EQ(azure["metadata"]["width"], 535);
  const auto checked = run("cd " + shell_quote(kClientsDir) + " && node check_types.js" + args, 120);
  EXPECT_TRUE(succeeded(checked)) << checked.out << checked.err;
  EXPECT_NE(checked.out.find("12 documents, 0 type errors"), std::string::npos) << checked.out;
}

}  // namespace
}  // namespace visionfs::itest
