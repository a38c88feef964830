#include "fs/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

namespace visionfs::fs {

void setup_logging(const std::string& level, bool foreground) {
  // Called again after daemonizing to switch to syslog: the old logger's name
  // must be free, or spdlog throws.
  spdlog::drop("visionfs");
  std::shared_ptr<spdlog::logger> logger;
  if (foreground) {
    logger = spdlog::stderr_color_mt("visionfs");
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e visionfs[%P] %l: %v");
  } else {
    logger = spdlog::syslog_logger_mt("visionfs", "visionfs", LOG_PID, LOG_DAEMON);
    logger->set_pattern("%l: %v");
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace visionfs::fs
