// List pagination: `maxResults` and an opaque `nextToken` that resumes after
// the last key returned. Tokens are Base64 so clients treat them as opaque.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services {

struct Page {
  size_t limit = 100;
  std::string after;  // resume strictly after this key; empty: from the start

  // Reads maxResults (0 or absent: the default) and nextToken; a token that
  // was not issued by us gets InvalidToken.
  static Result<Page> fromInput(const Json& in, size_t defaultLimit, size_t maxLimit);
  std::string tokenAfter(const std::string& key) const;
};

// The token format on its own, for services whose members are named
// differently (NextToken, nextToken) or whose bad-token error differs.
std::string encodePageToken(std::string_view key);
// The key a token resumes after; nullopt for a token we did not issue.
std::optional<std::string> decodePageToken(std::string_view token);

}  // namespace sluice::services
