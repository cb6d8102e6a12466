#include "services/s3/conditions.hpp"

#include <charconv>
#include <chrono>

namespace sluice::services::s3 {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view unquote(std::string_view s) {
  s = trim(s);
  if (s.starts_with("W/")) s.remove_prefix(2);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool parseNumber(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// HTTP dates have whole seconds: compare at that precision.
int64_t seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// `condition`: the header that failed, as S3's <Condition> names it.
AwsError preconditionFailed(std::string condition) {
  return AwsError{"PreconditionFailed",
                  "At least one of the pre-conditions you specified did not hold", 412}
      .with("Condition", std::move(condition));
}

// 304 has no body; the condition is kept for CopyObject, where it is a 412.
AwsError notModified(std::string condition) {
  return AwsError{"NotModified", "Not Modified", 304}.with("Condition", std::move(condition));
}

}  // namespace

Result<std::optional<ByteRange>> parseRange(std::string_view header, uint64_t size) {
  header = trim(header);
  if (header.empty() || !header.starts_with("bytes=")) return std::optional<ByteRange>();
  std::string_view spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return std::optional<ByteRange>();
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ByteRange>();
  std::string_view a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  AwsError invalid = AwsError{"InvalidRange", "The requested range is not satisfiable", 416}
                         .with("RangeRequested", std::string(header))
                         .with("ActualObjectSize", std::to_string(size));
  ByteRange r;
  if (a.empty()) {  // suffix: the last N bytes
    uint64_t n;
    if (!parseNumber(b, n)) return std::optional<ByteRange>();
    if (n == 0 || size == 0) return invalid;
    r.first = n >= size ? 0 : size - n;
    r.last = size - 1;
    return std::optional<ByteRange>(r);
  }
  uint64_t first;
  if (!parseNumber(a, first)) return std::optional<ByteRange>();
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    if (!parseNumber(b, last)) return std::optional<ByteRange>();
    if (last < first) return std::optional<ByteRange>();  // syntactically invalid: ignored
  }
  if (first >= size) return invalid;
  r.first = first;
  r.last = std::min(last, size - 1);
  return std::optional<ByteRange>(r);
}

bool etagMatches(std::string_view header, std::string_view etag) {
  std::string_view want = unquote(etag);
  size_t start = 0;
  while (start <= header.size()) {
    auto comma = header.find(',', start);
    std::string_view item = trim(header.substr(start, comma - start));
    if (item == "*" || (!item.empty() && unquote(item) == want)) return true;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return false;
}

Result<void> checkReadPreconditions(const Preconditions& p, std::string_view etag,
                                    TimePoint lastModified) {
  if (p.ifMatch) {
    if (!etagMatches(*p.ifMatch, etag)) return preconditionFailed("If-Match");
  } else if (p.ifUnmodifiedSince && seconds(lastModified) > seconds(*p.ifUnmodifiedSince)) {
    return preconditionFailed("If-Unmodified-Since");
  }
  if (p.ifNoneMatch) {
    if (etagMatches(*p.ifNoneMatch, etag)) return notModified("If-None-Match");
  } else if (p.ifModifiedSince && seconds(lastModified) <= seconds(*p.ifModifiedSince)) {
    return notModified("If-Modified-Since");
  }
  return {};
}

Result<void> checkCopyPreconditions(const Preconditions& p, std::string_view etag,
                                    TimePoint lastModified) {
  auto r = checkReadPreconditions(p, etag, lastModified);
  if (r) return {};
  std::string condition = r.error().fields.empty() ? "" : r.error().fields.front().value;
  return preconditionFailed("x-amz-copy-source-" + condition);
}

}  // namespace sluice::services::s3
