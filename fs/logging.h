#pragma once
// Logging set-up. In the foreground logs go to stderr; once daemonized,
// to syslog (stderr is then /dev/null). What is logged: start, stop,
// configuration, evictions and errors, with sizes, counts and timings.
// Never file contents; file names only at debug level.

#include <string>

namespace visionfs::fs {

void setup_logging(const std::string& level, bool foreground);

}  // namespace visionfs::fs
