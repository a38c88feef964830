#pragma once
// Process hardening for a daemon that holds private images in memory:
// no core dumps (RLIMIT_CORE 0), not dumpable (PR_SET_DUMPABLE 0: no core,
// no ptrace attach by other unprivileged processes of the same user).
// Call first thing in main, before any user data exists.

namespace visionfs::fs {

// Returns false (and logs) if a setting could not be applied.
bool harden_process();

}  // namespace visionfs::fs
