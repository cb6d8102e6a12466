// Lambda's list paging: MaxItems and an opaque Marker that resumes after the
// last key returned (NextMarker).
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::lambda {

struct MarkerPage {
  size_t limit = 50;
  std::string after;  // resume strictly after this key; empty: from the start

  // A Marker we did not issue is InvalidParameterValueException.
  static Result<MarkerPage> read(const Json& in, size_t defaultLimit);
  // NextMarker for a page that stopped after `key`.
  static std::string next(const std::string& key);
};

}  // namespace sluice::services::lambda
