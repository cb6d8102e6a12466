// HTTP semantics S3 applies to reads and copies: byte ranges (Range:
// bytes=...) and the conditional headers (If-Match, If-None-Match,
// If-Modified-Since, If-Unmodified-Since and their x-amz-copy-source-*
// forms).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace sluice::services::s3 {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

// A Range header against an object of `size` bytes: nullopt means the whole
// object (no header, or one S3 ignores: not "bytes=", several ranges,
// malformed numbers); an error is InvalidRange (416) when no byte of the
// object is in the range.
Result<std::optional<ByteRange>> parseRange(std::string_view header, uint64_t size);

struct Preconditions {
  std::optional<std::string_view> ifMatch;
  std::optional<std::string_view> ifNoneMatch;
  std::optional<TimePoint> ifModifiedSince;
  std::optional<TimePoint> ifUnmodifiedSince;
};

// True when `etag` (quoted) is one of the comma-separated entity tags in
// `header` ("*" matches any).
bool etagMatches(std::string_view header, std::string_view etag);

// GET/HEAD: 412 PreconditionFailed or 304 NotModified as RFC 7232 orders
// them (a passing If-Match overrides If-Unmodified-Since; a failing
// If-None-Match overrides If-Modified-Since).
Result<void> checkReadPreconditions(const Preconditions& p, std::string_view etag,
                                    TimePoint lastModified);
// CopyObject / UploadPartCopy source conditions: every failure is 412.
Result<void> checkCopyPreconditions(const Preconditions& p, std::string_view etag,
                                    TimePoint lastModified);

}  // namespace sluice::services::s3
