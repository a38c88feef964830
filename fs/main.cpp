// visionfs: a private, memory-only image analysis filesystem.
// Start-up order matters: harden the process before any user data exists,
// mount, daemonize, and only then start threads (fork keeps none).

#include "analysis/core/catalog.h"
#include "analysis/core/model_files.h"
#include "analysis/core/wiping_allocator.h"
#include "analysis/decode/decoders.h"
#include "fs/allocator.h"
#include "fs/filesystem.h"
#include "fs/logging.h"
#include "fs/options.h"
#include "fs/privacy.h"

#include <fuse_lowlevel.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

using namespace visionfs;

namespace {

// --help and --version; true if one of them was asked for.
bool printed_help_or_version(const fs::Options& options, const char* program) {
  if (options.show_help) {
    fs::print_usage(program);
    std::printf("FUSE options:\n");
    fuse_cmdline_help();
    fuse_lowlevel_help();
    return true;
  }
  if (options.show_version) {
    std::printf("visionfs %s\nlibfuse %s\n", VISIONFS_VERSION, fuse_pkgversion());
    return true;
  }
  return false;
}

analysis::AnalyzerCatalog load_catalog(fs::Options& options) {
  analysis::AnalysisOptions analysis_options;
  const bool models_given = !options.models.empty();
  analysis_options.models_dir = analysis::resolve_models_dir(options.models);
  analysis_options.max_pixels = options.max_pixels;
  analysis_options.min_score = options.min_score;
  options.models = analysis_options.models_dir.string();
  std::error_code ec;
  if (models_given && !std::filesystem::is_directory(analysis_options.models_dir, ec)) {
    // Said at once: otherwise the first sign is an analyzer missing from
    // config.json. The advice installs where this mount looks.
    spdlog::warn("models directory {} does not exist: the analyzers that need models are off "
                 "(install them there with: scripts/install-models.sh --dest '{}')",
                 options.models, options.models);
  }
  return analysis::build_catalog(analysis_options);
}

// precompute= may only name analyzers that can run here.
bool precompute_is_enabled(const fs::Options& options, const fs::Filesystem& filesystem) {
  const auto& enabled = filesystem.sidecar_analyzers();
  for (const auto& name : options.precompute) {
    if (std::find(enabled.begin(), enabled.end(), name) == enabled.end()) {
      std::fprintf(stderr, "visionfs: precompute names '%s', which is not an enabled analyzer\n", name.c_str());
      return false;
    }
  }
  return true;
}

int run_loop(fuse_session* session, const fs::Options& options) {
  if (options.single_thread) return fuse_session_loop(session);
  fuse_loop_config* config = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(config, 0);
  fuse_loop_cfg_set_idle_threads(config, options.max_idle_threads);
  // libfuse 3.14 otherwise warns about its own unset default.
  fuse_loop_cfg_set_max_threads(config, std::max(options.max_threads, 2u));
  int status = fuse_session_loop_mt(session, config);
  fuse_loop_cfg_destroy(config);
  return status;
}

// Mounts, daemonizes, serves until unmounted or signalled. Returns the
// loop's status.
int serve(fuse_session* session, const fs::Options& options, fs::Filesystem& filesystem) {
  if (fuse_session_mount(session, options.mountpoint.c_str()) != 0) return 1;
  spdlog::info("visionfs {} mounted: budget {} bytes, ttl {} s, {} analyzers ({} unavailable), {}", VISIONFS_VERSION,
               options.max_memory, std::chrono::duration<double>(options.ttl).count(),
               filesystem.sidecar_analyzers().size(), filesystem.catalog().unavailable.size(),
               options.foreground ? "foreground" : "daemon");
  if (!options.foreground) {
    fuse_daemonize(0);
    fs::setup_logging(options.log_level, false);
  }
  filesystem.start_threads(session);
  int status = run_loop(session, options);
  // Unmount before stopping our threads: the evictor may be inside an
  // unlink(2) on this very mount, which no loop thread would answer now;
  // unmounting aborts it, and replies still sent by analysis workers (or
  // the scheduler's shutdown) fail harmlessly.
  fuse_session_unmount(session);
  filesystem.stop_threads();
  spdlog::info("visionfs unmounted; all files and results are gone from memory");
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  bool hardened = fs::harden_process();
  // Before any cv::Mat exists: every pixel buffer is wiped when freed.
  analysis::install_wiping_mat_allocator();
  analysis::install_decoder_guards();  // before any thread: it sets the environment

  fs::Options options;
  std::string error;
  if (!fs::parse_options(argc, argv, &options, &error)) {
    std::fprintf(stderr, "visionfs: %s (see visionfs --help)\n", error.c_str());
    return 2;
  }
  if (printed_help_or_version(options, argv[0])) return 0;
  // Before any thread exists (they start after daemonizing).
  fs::configure_allocator(options.workers ? options.workers : std::thread::hardware_concurrency());
  fs::setup_logging(options.log_level, true);
  if (!hardened) spdlog::warn("process hardening incomplete: core dumps may be possible");

  fs::Filesystem filesystem(options, load_catalog(options));
  if (!precompute_is_enabled(options, filesystem)) return 2;

  auto ops = fs::make_operations();
  fuse_session* session = fuse_session_new(&options.fuse, &ops, sizeof(ops), &filesystem);
  if (!session) return 1;
  int status = 1;
  if (fuse_set_signal_handlers(session) == 0) {
    status = serve(session, options, filesystem);
    fuse_remove_signal_handlers(session);
  }
  fuse_session_destroy(session);
  // libfuse's loop returns the number of the signal that stopped it; a stop
  // that was asked for (SIGTERM, SIGINT, SIGHUP) is a success.
  bool asked_to_stop = status == SIGTERM || status == SIGINT || status == SIGHUP;
  return status == 0 || asked_to_stop ? 0 : 1;
}
