#pragma once
// Every cv::Mat buffer is wiped before its memory is freed.
//
// Decoded pixels are the user's image as much as the file bytes are, and the
// analyzers make many copies of them (crops, colour conversions, resized
// copies, network inputs), each freed by OpenCV without wiping. A memory scan
// after an image expired found its pixels in freed heap (issue 11). OpenCV
// lets a program replace the allocator behind every cv::Mat; this one uses
// OpenCV's own and wipes each buffer (explicit_bzero) before handing it back.
//
// Process-wide: call once at start-up, before any Mat exists (the daemon's
// main). Thread-safe afterwards, as OpenCV's standard allocator is.

#include <memory>

namespace cv {
class MatAllocator;
}

namespace visionfs::analysis {

void install_wiping_mat_allocator();

// The allocator itself, over `inner` (which must outlive it), for tests.
std::unique_ptr<cv::MatAllocator> make_wiping_mat_allocator(cv::MatAllocator* inner);

}  // namespace visionfs::analysis
