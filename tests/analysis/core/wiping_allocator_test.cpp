#include "analysis/core/wiping_allocator.h"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace visionfs::analysis {
namespace {

// OpenCV's standard allocator, recording whether each buffer it gets back
// to free was all zeros.
class RecordingAllocator final : public cv::MatAllocator {
 public:
  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    cv::UMatData* u = std_->allocate(dims, sizes, type, data, step, flags, usage);
    if (u) u->currAllocator = this;  // a wrapping allocator sets itself instead
    return u;
  }
  bool allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    return std_->allocate(data, flags, usage);
  }
  void deallocate(cv::UMatData* u) const override {
    if (u && u->origdata) {
      freed++;
      if (std::all_of(u->origdata, u->origdata + u->size, [](uchar b) { return b == 0; })) wiped++;
    }
    std_->deallocate(u);
  }
  mutable int freed = 0, wiped = 0;

 private:
  cv::MatAllocator* std_ = cv::Mat::getStdAllocator();
};

TEST(WipingMatAllocator, EveryBufferIsZeroBeforeItIsFreed) {
  RecordingAllocator recording;
  auto wiping = make_wiping_mat_allocator(&recording);
  {
    cv::Mat image;
    image.allocator = wiping.get();
    image.create(64, 48, CV_8UC3);
    cv::randu(image, 1, 255);
    cv::Mat copy;
    copy.allocator = wiping.get();
    cv::cvtColor(image, copy, cv::COLOR_BGR2RGB);  // written into our buffer
  }
  EXPECT_EQ(recording.freed, 2);
  EXPECT_EQ(recording.wiped, 2);
}

TEST(WipingMatAllocator, WithoutItTheBytesWouldStillBeThere) {
  // The same check on the plain allocator: proves the test above can fail.
  RecordingAllocator recording;
  {
    cv::Mat image;
    image.allocator = &recording;
    image.create(16, 16, CV_8UC1);
    image.setTo(7);
  }
  EXPECT_EQ(recording.freed, 1);
  EXPECT_EQ(recording.wiped, 0);
}

}  // namespace
}  // namespace visionfs::analysis
