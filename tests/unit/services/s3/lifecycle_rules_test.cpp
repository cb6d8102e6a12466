// Due dates follow AWS's documented rule: creation time + Days, rounded up to
// the next midnight UTC.
#include "services/s3/lifecycle_rules.hpp"

#include <gtest/gtest.h>

namespace sluice::services::s3 {
namespace {

std::string noId() {
  return "generated";
}

Result<std::vector<LifecycleRule>> parse(const char* text) {
  return parseLifecycle(*parseJson(text), noId);
}

TimePoint at(const char* iso) {
  return *parseIso8601(iso);
}

TEST(LifecycleDue, RoundsUpToMidnightUtc) {
  EXPECT_EQ(lifecycleDue(at("2024-01-01T10:00:00Z"), 1), at("2024-01-03T00:00:00Z"));
  EXPECT_EQ(lifecycleDue(at("2024-01-01T00:00:00Z"), 1), at("2024-01-02T00:00:00Z"));
  EXPECT_EQ(lifecycleDue(at("2024-02-28T23:59:59Z"), 30), at("2024-03-30T00:00:00Z"));
  EXPECT_EQ(nextMidnight(at("2024-01-01T00:00:00Z")), at("2024-01-02T00:00:00Z"));
  EXPECT_EQ(nextMidnight(at("2024-12-31T23:00:00Z")), at("2025-01-01T00:00:00Z"));
}

TEST(LifecycleParse, FilterForms) {
  auto rules = parse(R"({"Rules": [
    {"Status": "Enabled", "Prefix": "old/", "Expiration": {"Days": 3}},
    {"ID": "and", "Status": "Disabled", "Filter": {"And": {"Prefix": "p/",
       "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}],
       "ObjectSizeGreaterThan": 10, "ObjectSizeLessThan": 100}},
     "Transitions": [{"Days": 30, "StorageClass": "STANDARD_IA"}]}]})");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].id, "generated");
  EXPECT_TRUE((*rules)[0].enabled);
  EXPECT_EQ((*rules)[0].filter.prefix, "old/");
  EXPECT_EQ((*rules)[0].expirationDays, 3);
  const auto& f = (*rules)[1].filter;
  EXPECT_FALSE((*rules)[1].enabled);
  EXPECT_EQ(f.prefix, "p/");
  EXPECT_EQ(f.tags.size(), 2u);
  EXPECT_EQ(f.sizeGreaterThan, 10);
  EXPECT_EQ(f.sizeLessThan, 100);
}

TEST(LifecycleParse, Refusals) {
  struct Case {
    const char* rules;
    const char* code;
  };
  const Case cases[] = {
      {R"([])", "MalformedXML"},
      {R"([{"Status": "Enabled", "Expiration": {"Days": 1}}])", "MalformedXML"},
      {R"([{"Status": "enabled", "Filter": {}, "Expiration": {"Days": 1}}])", "MalformedXML"},
      {R"([{"Status": "Enabled", "Filter": {}, "Expiration": {"Days": 1, "Date": "2030-01-01T00:00:00Z"}}])",
       "MalformedXML"},
      {R"([{"Status": "Enabled", "Filter": {}, "Expiration": {"Days": -1}}])", "InvalidArgument"},
      {R"([{"Status": "Enabled", "Filter": {}, "Expiration": {"Date": "2030-01-01T01:00:00Z"}}])",
       "InvalidArgument"},
      {R"([{"Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 1, "StorageClass": "STANDARD"}]}])",
       "MalformedXML"},
      {R"([{"Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 10, "StorageClass": "ONEZONE_IA"}]}])",
       "InvalidRequest"},
      {R"([{"Status": "Enabled", "Filter": {}, "Expiration": {"Days": 30},
            "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}])",
       "InvalidArgument"},
      {R"([{"Status": "Enabled", "Filter": {"Tag": {"Key": "k", "Value": "v"}},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}])",
       "InvalidRequest"},
      {R"([{"Status": "Enabled", "Filter": {}, "NoncurrentVersionExpiration": {"NoncurrentDays": 0}}])",
       "InvalidArgument"},
      {R"([{"Status": "Enabled", "Filter": {}}])", "InvalidRequest"},
  };
  for (const auto& c : cases) {
    auto r = parseLifecycle(*parseJson(std::string(R"({"Rules": )") + c.rules + "}"), noId);
    if (r) {
      ADD_FAILURE() << "accepted " << c.rules;
    } else {
      EXPECT_EQ(r.error().code, c.code) << c.rules << ": " << r.error().message;
    }
  }
  // Transitions to GLACIER have no 30-day minimum.
  EXPECT_TRUE(parse(R"({"Rules": [{"Status": "Enabled", "Filter": {},
      "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}]}]})"));
}

TEST(LifecycleMatch, PrefixTagsAndSize) {
  LifecycleFilter f;
  f.prefix = "logs/";
  f.tags = {{"env", "test"}};
  f.sizeGreaterThan = 5;
  f.sizeLessThan = 10;
  Json tags = *parseJson(R"({"env": "test", "other": "x"})");
  EXPECT_TRUE(lifecycleMatches(f, "logs/a", 6, tags));
  EXPECT_FALSE(lifecycleMatches(f, "other/a", 6, tags));
  EXPECT_FALSE(lifecycleMatches(f, "logs/a", 5, tags));
  EXPECT_FALSE(lifecycleMatches(f, "logs/a", 10, tags));
  EXPECT_FALSE(lifecycleMatches(f, "logs/a", 6, *parseJson(R"({"env": "prod"})")));
}

TEST(StorageClassRank, ColderIsLarger) {
  EXPECT_LT(storageClassRank("STANDARD"), storageClassRank("STANDARD_IA"));
  EXPECT_LT(storageClassRank("STANDARD_IA"), storageClassRank("GLACIER_IR"));
  EXPECT_LT(storageClassRank("GLACIER"), storageClassRank("DEEP_ARCHIVE"));
  EXPECT_EQ(storageClassRank("OUTPOSTS"), -1);
}

}  // namespace
}  // namespace sluice::services::s3
