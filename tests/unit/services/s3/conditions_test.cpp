// Range and conditional-request semantics (RFC 7233 / RFC 7232 as S3 applies them).
#include "services/s3/conditions.hpp"

#include <gtest/gtest.h>

namespace sluice::services::s3 {
namespace {

std::string range(std::string_view header, uint64_t size) {
  auto r = parseRange(header, size);
  if (!r) return r.error().code;
  if (!*r) return "whole";
  return std::to_string((*r)->first) + "-" + std::to_string((*r)->last);
}

TEST(Ranges, FirstLastSuffixAndOpenEnded) {
  EXPECT_EQ(range("bytes=0-499", 10000), "0-499");
  EXPECT_EQ(range("bytes=500-999", 10000), "500-999");
  EXPECT_EQ(range("bytes=-500", 10000), "9500-9999");
  EXPECT_EQ(range("bytes=9500-", 10000), "9500-9999");
  EXPECT_EQ(range("bytes=0-0", 10000), "0-0");
  EXPECT_EQ(range("bytes=9000-20000", 10000), "9000-9999");  // clipped
  EXPECT_EQ(range("bytes=-20000", 10000), "0-9999");
}

TEST(Ranges, UnsatisfiableIsInvalidRange) {
  EXPECT_EQ(range("bytes=10000-", 10000), "InvalidRange");
  EXPECT_EQ(range("bytes=0-", 0), "InvalidRange");
  EXPECT_EQ(range("bytes=-0", 10), "InvalidRange");
  auto r = parseRange("bytes=20-30", 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().httpStatus, 416);
}

TEST(Ranges, SyntaxS3IgnoresMeansTheWholeObject) {
  EXPECT_EQ(range("", 10), "whole");
  EXPECT_EQ(range("items=0-1", 10), "whole");
  EXPECT_EQ(range("bytes=0-1,3-4", 10), "whole");
  EXPECT_EQ(range("bytes=abc", 10), "whole");
  EXPECT_EQ(range("bytes=5-2", 10), "whole");
}

TEST(EntityTags, ListsWildcardsAndWeakTags) {
  EXPECT_TRUE(etagMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(etagMatches("abc", "\"abc\""));
  EXPECT_TRUE(etagMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(etagMatches("*", "\"abc\""));
  EXPECT_TRUE(etagMatches("W/\"abc\"", "\"abc\""));
  EXPECT_FALSE(etagMatches("\"abd\"", "\"abc\""));
}

TEST(Preconditions, OrderOfEvaluation) {
  TimePoint modified = fromSeconds(1000);
  Preconditions p;
  p.ifMatch = "\"e\"";
  p.ifUnmodifiedSince = fromSeconds(10);  // would fail, but If-Match passed
  EXPECT_TRUE(checkReadPreconditions(p, "\"e\"", modified).ok());
  p.ifMatch = "\"other\"";
  EXPECT_EQ(checkReadPreconditions(p, "\"e\"", modified).error().httpStatus, 412);

  Preconditions n;
  n.ifNoneMatch = "\"other\"";
  n.ifModifiedSince = fromSeconds(5000);  // would be 304, but If-None-Match passed
  EXPECT_TRUE(checkReadPreconditions(n, "\"e\"", modified).ok());
  n.ifNoneMatch = "\"e\"";
  auto r = checkReadPreconditions(n, "\"e\"", modified);
  EXPECT_EQ(r.error().httpStatus, 304);
  EXPECT_EQ(checkCopyPreconditions(n, "\"e\"", modified).error().code, "PreconditionFailed");

  Preconditions t;
  t.ifModifiedSince = fromSeconds(1000.9);  // same second: not modified since
  EXPECT_EQ(checkReadPreconditions(t, "\"e\"", modified).error().httpStatus, 304);
  t.ifModifiedSince = fromSeconds(999);
  EXPECT_TRUE(checkReadPreconditions(t, "\"e\"", modified).ok());
}

}  // namespace
}  // namespace sluice::services::s3
