#include "analysis/decode/decoded_image.h"

#include <string.h>  // explicit_bzero

namespace visionfs::analysis {

DecodedImage::~DecodedImage() {
  // cv::Mat shares its buffer by reference count; wipe only when this is the
  // last holder, so a Mat that an analyzer still borrows is not zeroed under it.
  if (!pixels.empty() && pixels.u != nullptr && pixels.u->refcount == 1 && pixels.isContinuous()) {
    explicit_bzero(pixels.data, pixels.total() * pixels.elemSize());
  }
}

}  // namespace visionfs::analysis
