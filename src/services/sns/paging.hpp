// SNS's NextToken: opaque, resumes after the last ARN of the previous page.
#pragma once

#include <string>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "services/common/input.hpp"

namespace sluice::services::sns {

inline constexpr size_t kPageSize = 100;

// The ARN to resume after; empty without a token.
inline Result<std::string> pageAfter(const Json& in) {
  static constexpr std::string_view kPrefix = "sluice-sns:";
  auto token = Input(in).optionalString("NextToken");
  if (!token) return token.error();
  if (!*token) return std::string();
  auto decoded = base64Decode(**token);
  if (!decoded || !decoded->starts_with(kPrefix)) {
    return AwsError{"InvalidParameter", "Invalid parameter: NextToken", 400};
  }
  return decoded->substr(kPrefix.size());
}

inline std::string pageToken(const std::string& lastArn) {
  return base64Encode("sluice-sns:" + lastArn);
}

}  // namespace sluice::services::sns
