#include "asl/timestamp.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

TEST(Timestamp, ParsesUtcAndOffsets) {
  auto z = parseTimestamp("2016-03-14T01:59:00Z");
  ASSERT_TRUE(z);
  EXPECT_EQ(formatIso8601(*z), "2016-03-14T01:59:00.000Z");
  auto plus = parseTimestamp("2016-03-14T02:59:00+01:00");
  ASSERT_TRUE(plus);
  EXPECT_EQ(*plus, *z);
  auto minus = parseTimestamp("2016-03-13T23:29:00-02:30");
  ASSERT_TRUE(minus);
  EXPECT_EQ(*minus, *z);
}

TEST(Timestamp, KeepsFractionsToTheMicrosecond) {
  auto t = parseTimestamp("2016-03-05T21:29:29.243167252Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->time_since_epoch().count() % 1000000, 243167);
  EXPECT_TRUE(parseTimestamp("2026-11-22T09:18:44.000Z"));
  EXPECT_TRUE(parseTimestamp("2016-03-14t01:59:00z"));
}

TEST(Timestamp, RejectsWhatAwsRejects) {
  EXPECT_FALSE(parseTimestamp("2016-13-05T21:29:29Z"));  // month 13
  EXPECT_FALSE(parseTimestamp("2016-12-05T21:29:29"));   // no zone
  EXPECT_FALSE(parseTimestamp("2026-11-22T09:18:44.000000"));
  EXPECT_FALSE(parseTimestamp("05-12-2016T21:29:29Z"));
  EXPECT_FALSE(parseTimestamp("2016-12-05T25:29:29Z"));  // hour 25
  EXPECT_FALSE(parseTimestamp("2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_TRUE(parseTimestamp("2024-02-29T00:00:00Z"));
  EXPECT_FALSE(parseTimestamp("2023-02-24"));
  EXPECT_FALSE(parseTimestamp("{% '2016-03-14T01:59:00Z' %}"));
  EXPECT_FALSE(parseTimestamp("2016-03-14T01:59Z"));
  EXPECT_FALSE(parseTimestamp("2016-03-14T01:59:00.Z"));
  EXPECT_FALSE(parseTimestamp("2016-03-14T01:59:00Z "));
  EXPECT_FALSE(parseTimestamp(""));
}

}  // namespace
}  // namespace sluice::asl
