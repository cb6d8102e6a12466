#include <gtest/gtest.h>

#include "services/sns/filter_policy.hpp"

namespace sluice::services::sns {
namespace {

Json attrs(const char* text) {
  return parseJson(text).value();
}

bool match(const char* policy, const char* attributes) {
  auto p = parseFilterPolicy(policy);
  EXPECT_TRUE(p) << policy;
  return p && matchesAttributes(*p, attrs(attributes));
}

constexpr const char* kRed = R"({"color": {"DataType": "String", "StringValue": "red"},
                                 "size": {"DataType": "Number", "StringValue": "12.5"},
                                 "tags": {"DataType": "String.Array", "StringValue": "[\"a\",\"b\"]"}})";

TEST(FilterPolicy, ExactPrefixAndAnythingBut) {
  EXPECT_TRUE(match(R"({"color": ["blue", "red"]})", kRed));
  EXPECT_FALSE(match(R"({"color": ["blue"]})", kRed));
  EXPECT_TRUE(match(R"({"color": [{"prefix": "re"}]})", kRed));
  EXPECT_TRUE(match(R"({"color": [{"anything-but": ["blue"]}]})", kRed));
  EXPECT_FALSE(match(R"({"color": [{"anything-but": "red"}]})", kRed));
  EXPECT_FALSE(match(R"({"color": [{"anything-but": {"prefix": "r"}}]})", kRed));
  EXPECT_TRUE(match(R"({"color": [{"equals-ignore-case": "RED"}]})", kRed));
}

TEST(FilterPolicy, NumericRangesOnNumbers) {
  EXPECT_TRUE(match(R"({"size": [{"numeric": [">", 10, "<=", 12.5]}]})", kRed));
  EXPECT_FALSE(match(R"({"size": [{"numeric": ["<", 12.5]}]})", kRed));
  EXPECT_TRUE(match(R"({"size": [12.5]})", kRed));
  EXPECT_FALSE(match(R"({"color": [{"numeric": [">", 0]}]})", kRed));
}

TEST(FilterPolicy, ExistsAndAllKeysMustMatch) {
  EXPECT_TRUE(match(R"({"missing": [{"exists": false}]})", kRed));
  EXPECT_FALSE(match(R"({"missing": [{"exists": true}]})", kRed));
  EXPECT_TRUE(match(R"({"color": [{"exists": true}]})", kRed));
  EXPECT_FALSE(match(R"({"color": ["red"], "size": [1]})", kRed));
  EXPECT_FALSE(match(R"({"missing": ["x"]})", kRed));
}

TEST(FilterPolicy, StringArraysMatchAnyElement) {
  EXPECT_TRUE(match(R"({"tags": ["b"]})", kRed));
  EXPECT_FALSE(match(R"({"tags": ["c"]})", kRed));
}

TEST(FilterPolicy, OrOfPolicies) {
  EXPECT_TRUE(match(R"({"$or": [{"color": ["blue"]}, {"size": [12.5]}]})", kRed));
  EXPECT_FALSE(match(R"({"$or": [{"color": ["blue"]}, {"size": [1]}]})", kRed));
}

TEST(FilterPolicy, MessageBodyScopeDescendsIntoObjects) {
  auto p =
      parseFilterPolicy(R"({"detail": {"kind": ["insert"], "rows": [{"numeric": [">", 0]}]}})");
  ASSERT_TRUE(p);
  EXPECT_TRUE(matchesBody(*p, attrs(R"({"detail": {"kind": "insert", "rows": 3}})")));
  EXPECT_FALSE(matchesBody(*p, attrs(R"({"detail": {"kind": "insert", "rows": 0}})")));
  EXPECT_FALSE(matchesBody(*p, attrs(R"({"detail": {"kind": "delete", "rows": 3}})")));
  EXPECT_FALSE(matchesBody(*p, attrs(R"({"other": 1})")));
}

TEST(FilterPolicy, InvalidPoliciesAreRefused) {
  for (const char* bad :
       {R"([1])", R"({"a": "red"})", R"({"a": [{"bogus": 1}]})",
        R"({"a": [{"numeric": ["~", 1]}]})", R"({"a": [{"exists": "yes"}]})", R"(not json)"}) {
    auto p = parseFilterPolicy(bad);
    ASSERT_FALSE(p) << bad;
    EXPECT_EQ(p.error().code, "InvalidParameter");
  }
}

}  // namespace
}  // namespace sluice::services::sns
