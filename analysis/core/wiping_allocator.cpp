#include "analysis/core/wiping_allocator.h"

#include <opencv2/core.hpp>
#include <opencv2/core/mat.hpp>
#include <string.h>  // explicit_bzero

namespace visionfs::analysis {
namespace {

class WipingMatAllocator final : public cv::MatAllocator {
 public:
  explicit WipingMatAllocator(cv::MatAllocator* inner) : inner_(inner) {}

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step, cv::AccessFlag flags,
                         cv::UMatUsageFlags usage) const override {
    cv::UMatData* u = inner_->allocate(dims, sizes, type, data, step, flags, usage);
    if (u) u->currAllocator = this;  // so deallocate() comes back here
    return u;
  }
  bool allocate(cv::UMatData* data, cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    return inner_->allocate(data, flags, usage);
  }
  void deallocate(cv::UMatData* u) const override {
    if (!u) return;
    // Memory a caller lent to a Mat (USER_ALLOCATED) is the caller's to wipe.
    if (u->origdata && !(u->flags & cv::UMatData::USER_ALLOCATED)) explicit_bzero(u->origdata, u->size);
    inner_->deallocate(u);
  }

 private:
  cv::MatAllocator* const inner_;
};

}  // namespace

std::unique_ptr<cv::MatAllocator> make_wiping_mat_allocator(cv::MatAllocator* inner) {
  return std::make_unique<WipingMatAllocator>(inner);
}

void install_wiping_mat_allocator() {
  static WipingMatAllocator allocator(cv::Mat::getStdAllocator());
  cv::Mat::setDefaultAllocator(&allocator);
}

}  // namespace visionfs::analysis
