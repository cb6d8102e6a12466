#include "services/lambda/marker_page.hpp"

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::lambda {

Result<MarkerPage> MarkerPage::read(const Json& in, size_t defaultLimit) {
  Input input(in);
  auto maxItems = input.optionalInt("MaxItems");
  if (!maxItems) return maxItems.error();
  auto marker = input.optionalString("Marker");
  if (!marker) return marker.error();
  MarkerPage p{static_cast<size_t>(maxItems->value_or(static_cast<int64_t>(defaultLimit))), ""};
  if (*marker && !(*marker)->empty()) {
    auto key = decodePageToken(**marker);
    if (!key) {
      return AwsError{"InvalidParameterValueException", "Invalid Marker: " + **marker, 400};
    }
    p.after = *key;
  }
  return p;
}

std::string MarkerPage::next(const std::string& key) {
  return encodePageToken(key);
}

}  // namespace sluice::services::lambda
