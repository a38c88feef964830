#include "integration/sidecar_support.h"

#include <glob.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace visionfs::itest {

const char* const kFileSyscalls =
    "trace=execve,open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,"
    "rmdir,truncate,ftruncate,link,linkat,symlink,symlinkat,mkdir,mkdirat,mknod,mknodat";

std::string sample_image(const std::string& name) {
  return "/usr/share/doc/opencv-doc/examples/data/" + name;
}

std::string imghdr_sample(const std::string& name) {
  for (const char* dir : {"/usr/lib/python3*/test/imghdrdata/", "/root/.pyenv/versions/*/lib/python3*/test/imghdrdata/"}) {
    glob_t g{};
    const std::string pattern = std::string(dir) + name;
    const bool found = glob(pattern.c_str(), 0, nullptr, &g) == 0 && g.gl_pathc > 0;
    const std::string path = found ? g.gl_pathv[0] : "";
    globfree(&g);
    if (found) return path;
  }
  return "";
}

std::string models_dir() { return VISIONFS_MODELS_DIR; }

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> name_json_analyzers(const std::vector<std::string>& available) {
  std::vector<std::string> out;
  for (const char* a : {"faces", "labels", "objects", "text", "safe", "colors", "crops"}) {
    if (std::find(available.begin(), available.end(), a) != available.end()) out.push_back(a);
  }
  return out;
}

std::vector<std::string> sidecar_names(const std::string& image, const std::vector<std::string>& analyzers) {
  std::vector<std::string> out{image + ".json", image + ".xmp"};
  for (const auto& a : analyzers) out.push_back(image + "." + a + ".json");
  return sorted(out);
}

nlohmann::json parse_or_fail(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << " is not JSON (" << e.what() << "): " << text.substr(0, 2000);
    return nullptr;
  }
}

long rss_kib(pid_t pid, const std::string& field) {
  std::istringstream in(read_local_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

MountOptions SidecarFixture::mount_options() const {
  MountOptions o;
  o.options = {"ttl=1h", "max_memory=512M"};
  const std::string dir = models_dir();
  // A directory that does not exist means "no models" to the daemon.
  o.options.push_back("models=" + (with_models() && !dir.empty() ? dir : temp_dir() + "/no-models"));
  for (const auto& e : extra_options()) o.options.push_back(e);
  o.wrapper = wrapper();
  return o;
}

std::string SidecarFixture::cat(const std::string& rel) {
  auto r = run("cat " + qm(rel), 120);
  EXPECT_TRUE(succeeded(r));
  return r.out;
}

nlohmann::json SidecarFixture::read_json(const std::string& rel) { return parse_or_fail(cat(rel), rel); }

std::uint64_t SidecarFixture::stat_of(const nlohmann::json& stats, const std::string& analyzer,
                                      const std::string& field) {
  if (!stats.is_object() || !stats.contains("analyses")) return 0;
  const auto& a = stats["analyses"];
  if (!a.contains(analyzer) || !a[analyzer].contains(field)) return 0;
  return a[analyzer][field].get<std::uint64_t>();
}

std::vector<std::string> SidecarFixture::available_analyzers() {
  std::vector<std::string> names;
  auto c = config();
  if (!c.is_object() || !c.contains("available")) {
    ADD_FAILURE() << "config.json has no \"available\": " << c.dump();
    return names;
  }
  for (const auto& a : c["available"]) names.push_back(a["name"].get<std::string>());
  return names;
}

void SidecarFixture::put(const std::string& source, const std::string& rel) {
  const std::string from = source.front() == '/' ? source : sample_image(source);
  ASSERT_TRUE(succeeded(run("cp " + shell_quote(from) + " " + qm(rel))));
}

std::string SidecarFixture::errno_of(const std::string& statement, const std::string& rel,
                                     const std::string& rel2) {
  const std::string script =
      "import errno, os, sys\n"
      "p = sys.argv[1]\n"
      "q = sys.argv[2]\n"
      "try:\n"
      "    " + statement + "\n"
      "    print('OK')\n"
      "except OSError as e:\n"
      "    print(errno.errorcode.get(e.errno, str(e.errno)))\n";
  auto r = run(python3() + " -c " + shell_quote(script) + " " + qm(rel) + " " +
               shell_quote(rel2.empty() ? std::string() : m(rel2)));
  EXPECT_EQ(r.status, 0) << r.describe();
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

void write_malformed(Malformed kind, const std::string& path) {
  const std::string q = shell_quote(path);
  const std::string messi = shell_quote(sample_image("messi5.jpg"));
  // Python writes the binary formats: struct and zlib give valid CRCs.
  auto py = [&](const std::string& body) {
    auto r = run(python3() + " -c " +
                 shell_quote("import struct, sys, zlib\np = sys.argv[1]\n" + body) + " " + q);
    ASSERT_TRUE(succeeded(r));
  };
  switch (kind) {
    case Malformed::kTruncatedJpeg:
      ASSERT_TRUE(succeeded(run("head -c 20000 " + messi + " > " + q)));
      break;
    case Malformed::kHeaderOnlyJpeg:
      ASSERT_TRUE(succeeded(run("head -c 300 " + messi + " > " + q)));
      break;
    case Malformed::kPngBomb:
      py("def chunk(t, d):\n"
         "    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)\n"
         "ihdr = struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0)\n"
         "idat = zlib.compress(b'\\x00' * 100001 * 4)\n"
         "open(p, 'wb').write(b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', idat)"
         " + chunk(b'IEND', b''))\n");
      break;
    case Malformed::kGifNoFrames:
      py("open(p, 'wb').write(b'GIF89a' + struct.pack('<HHBBB', 10, 10, 0, 0, 0) + b'\\x3b')\n");
      break;
    case Malformed::kExrSignature:
      py("open(p, 'wb').write(b'\\x76\\x2f\\x31\\x01\\x02\\x00\\x00\\x00' + b'channels\\x00chlist\\x00' * 8)\n");
      break;
    case Malformed::kPnmGarbage:
      py("open(p, 'wb').write(b'P6\\n640 480\\n255\\n' + bytes(range(256)) * 3)\n");
      break;
    case Malformed::kHdrSignature:
      py("open(p, 'wb').write(b'#?RADIANCE\\nFORMAT=32-bit_rle_rgbe\\n\\n-Y 10 +X 10\\n' + bytes(range(200)))\n");
      break;
    case Malformed::kJp2Signature:
      py("open(p, 'wb').write(b'\\x00\\x00\\x00\\x0cjP  \\r\\n\\x87\\n' + bytes(range(256)) * 2)\n");
      break;
    case Malformed::kRandomJpg:
      write_random_file(path, 5000, 77);
      break;
    case Malformed::kTextPng:
      py("open(p, 'w').write('this is a text file, not a PNG\\n' * 20)\n");
      break;
    case Malformed::kEmpty:
      ASSERT_TRUE(succeeded(run(": > " + q)));
      break;
  }
}

TraceFindings analyze_trace(const std::string& trace, const std::string& mountpoint) {
  TraceFindings f;
  static const std::regex call(R"(^(\d+)\s+(\w+)\((.*)$)");
  static const std::regex quoted("\"((?:[^\"\\\\]|\\\\.)*)\"");
  const std::set<std::string> writable_allowed = {"/dev/fuse", "/dev/null"};
  const std::string under_mount = mountpoint + "/";
  std::map<std::string, std::string> program_of_pid;
  std::istringstream in(trace);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, call)) continue;
    ++f.calls;
    const std::string pid = m[1], name = m[2], args = m[3];
    // Every quoted path argument (rename has two).
    std::vector<std::string> paths;
    for (auto it = std::sregex_iterator(args.begin(), args.end(), quoted); it != std::sregex_iterator(); ++it)
      paths.push_back((*it)[1].str());
    // unlinkat(3</mnt>, "dir/name", 0) under strace -y: relative to that directory.
    static const std::regex fd_path(R"(^\d+<([^>]*)>)");
    std::smatch dir;
    if ((name == "unlinkat" || name == "mknodat") && !paths.empty() && paths.front()[0] != '/' &&
        std::regex_search(args, dir, fd_path)) {
      paths.front() = dir[1].str() + "/" + paths.front();
    }
    const std::string path = paths.empty() ? std::string() : paths.front();
    if (name == "execve") {
      program_of_pid[pid] = path;
      continue;
    }
    const std::string who = "pid " + pid + " (" + program_of_pid[pid] + "): ";
    if (name == "open" || name == "openat" || name == "openat2") {
      const bool writes = args.find("O_WRONLY") != std::string::npos || args.find("O_RDWR") != std::string::npos ||
                          args.find("O_CREAT") != std::string::npos || args.find("O_TRUNC") != std::string::npos ||
                          args.find("O_TMPFILE") != std::string::npos;
      if (!writes) {
        f.read_opens.insert(path);
      } else if (writable_allowed.count(path)) {
        f.writable_opens.insert(path);
      } else {
        f.violations.push_back(who + line);
      }
      continue;
    }
    // The evictor's unlinks and mknods through its own mount tell watchers
    // that names went or came; they touch only memory.
    const bool removes_or_renames = name.rfind("unlink", 0) == 0 || name.rfind("rename", 0) == 0 || name == "rmdir" ||
                                    name == "mknodat";
    const bool all_under_mount =
        !paths.empty() && std::all_of(paths.begin(), paths.end(),
                                      [&](const std::string& p) { return p.rfind(under_mount, 0) == 0; });
    if (removes_or_renames && all_under_mount) continue;
    // creat, truncate, link, mkdir, and unlink/rename of
    // real files: a memory-only daemon needs none of them.
    f.violations.push_back(who + line);
  }
  return f;
}

}  // namespace visionfs::itest
