// Small helpers shared by the SigV4 sources; not part of the gateway's API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/sigv4.hpp"

namespace sluice::gateway::sigv4_detail {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string_view trim(std::string_view s);
// "41 57 53" — the bytes of `s` in hex, as S3's *Bytes error elements show them.
std::string bytesText(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string toLower(std::string_view s);

struct SplitTarget {
  std::string_view path;
  std::string_view query;  // without '?'
};
SplitTarget splitTarget(std::string_view target);

// Percent-decodes; a '%' not followed by two hex digits stays as it is. '+' is
// not a space here (SigV4 encodes spaces as %20).
std::string percentDecode(std::string_view s);

// Query parameters, decoded, in order of appearance ("a" alone gives {"a", ""}).
std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view rawQuery);
// First value of a (decoded) query parameter, by exact name.
std::optional<std::string> queryParam(
    const std::vector<std::pair<std::string, std::string>>& params, std::string_view name);

// First value of a header (case-insensitive name).
std::optional<std::string_view> header(const HttpRequestView& request, std::string_view name);

// The credential "AKID/date/region/service/aws4_request" split in five.
std::optional<std::vector<std::string>> splitCredential(std::string_view credential);

bool isHexSha256(std::string_view s);

}  // namespace sluice::gateway::sigv4_detail
