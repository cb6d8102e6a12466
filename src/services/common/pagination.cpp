#include "services/common/pagination.hpp"

#include "core/encoding.hpp"
#include "services/common/input.hpp"

namespace sluice::services {

namespace {
constexpr std::string_view kTokenPrefix = "sluice:";
}

Result<Page> Page::fromInput(const Json& in, size_t defaultLimit, size_t maxLimit) {
  Input input(in);
  Page p;
  auto max = input.optionalInt("maxResults");
  if (!max) return max.error();
  p.limit = defaultLimit;
  if (*max) {
    if (**max < 0 || static_cast<size_t>(**max) > maxLimit) {
      return AwsError::validation("1 validation error detected: Value '" + std::to_string(**max) +
                                  "' at 'maxResults' failed to satisfy constraint: Member must "
                                  "have value less than or equal to " +
                                  std::to_string(maxLimit));
    }
    if (**max > 0) p.limit = static_cast<size_t>(**max);
  }
  auto token = input.optionalString("nextToken");
  if (!token) return token.error();
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key) return AwsError{"InvalidToken", "Invalid Token: '" + **token + "'", 400};
    p.after = std::move(*key);
  }
  return p;
}

std::string Page::tokenAfter(const std::string& key) const {
  return encodePageToken(key);
}

std::string encodePageToken(std::string_view key) {
  return base64Encode(std::string(kTokenPrefix) + std::string(key));
}

std::optional<std::string> decodePageToken(std::string_view token) {
  auto decoded = base64Decode(token);
  if (!decoded || !decoded->starts_with(kTokenPrefix)) return std::nullopt;
  return decoded->substr(kTokenPrefix.size());
}

}  // namespace sluice::services
