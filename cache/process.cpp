#include "cache/process.h"

#include <fstream>
#include <string>

namespace visionfs::cache {

pid_t thread_group_of(pid_t thread) {
  if (thread <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(thread) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Tgid:", 0) == 0) {
      try {
        return static_cast<pid_t>(std::stol(line.substr(5)));
      } catch (const std::exception&) {
        break;
      }
    }
  }
  return thread;
}

}  // namespace visionfs::cache
