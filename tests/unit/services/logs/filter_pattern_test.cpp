#include "services/logs/filter_pattern.hpp"

#include <gtest/gtest.h>

namespace sluice::services::logs {
namespace {

bool match(std::string_view pattern, std::string_view message) {
  auto fp = FilterPattern::compile(pattern);
  if (!fp) {
    ADD_FAILURE() << "pattern did not compile: " << pattern << ": " << fp.error().message;
    return false;
  }
  return fp->matches(message);
}

TEST(FilterPattern, EmptyMatchesEverything) {
  EXPECT_TRUE(match("", "anything"));
  EXPECT_TRUE(match("   ", ""));
}

TEST(FilterPattern, TermsMustAllOccurCaseSensitively) {
  EXPECT_TRUE(match("ERROR", "[ERROR] disk full"));
  EXPECT_FALSE(match("ERROR", "[error] disk full"));
  EXPECT_TRUE(match("ERROR disk", "[ERROR] disk full"));
  EXPECT_FALSE(match("ERROR network", "[ERROR] disk full"));
}

TEST(FilterPattern, QuotedPhrasesAreOneTerm) {
  EXPECT_TRUE(match("\"disk full\"", "[ERROR] disk full"));
  EXPECT_FALSE(match("\"full disk\"", "[ERROR] disk full"));
  EXPECT_TRUE(match("\"[ERROR]\" full", "[ERROR] disk full"));
}

TEST(FilterPattern, ExclusionsAndOptionalTerms) {
  EXPECT_TRUE(match("ERROR -Exiting", "ERROR: something failed"));
  EXPECT_FALSE(match("ERROR -Exiting", "ERROR: Exiting now"));
  EXPECT_TRUE(match("?ERROR ?WARN", "WARN low memory"));
  EXPECT_TRUE(match("?ERROR ?WARN", "ERROR boom"));
  EXPECT_FALSE(match("?ERROR ?WARN", "INFO all good"));
}

const char* kEvent = R"({"eventType":"UpdateTrail","sourceIPAddress":"123.123.123.123",
  "bandwidth":80,"latency":20,"arrayKey":["value","another value"],
  "objectList":[{"name":"a","id":1},{"name":"b","id":2}],"user":{"id":1,"email":"John.Doe@example.com"},
  "users":[{"id":2,"email":"John.Doe@example.com"}],"flag":true,"off":false,"nothing":null,
  "coordinates":[[0,1],[2,3]]})";

TEST(FilterPattern, JsonEqualityAndWildcards) {
  EXPECT_TRUE(match(R"({ $.eventType = "UpdateTrail" })", kEvent));
  EXPECT_FALSE(match(R"({ $.eventType = "DeleteTrail" })", kEvent));
  EXPECT_TRUE(match(R"({ $.sourceIPAddress != 123.123.* })", "{\"sourceIPAddress\":\"10.0.0.1\"}"));
  EXPECT_FALSE(match(R"({ $.sourceIPAddress != 123.123.* })", kEvent));
  EXPECT_TRUE(match(R"({ $.eventType = Update* })", kEvent));
  EXPECT_TRUE(match(R"({ $.arrayKey[0] = "value" })", kEvent));
  EXPECT_TRUE(match(R"({ $.objectList[1].id = 2 })", kEvent));
  EXPECT_FALSE(match(R"({ $.objectList[5].id = 2 })", kEvent));
}

TEST(FilterPattern, JsonNumericComparisons) {
  EXPECT_TRUE(match("{ $.bandwidth > 75 }", kEvent));
  EXPECT_FALSE(match("{ $.bandwidth < 75 }", kEvent));
  EXPECT_TRUE(match("{ $.latency <= 20 }", kEvent));
  EXPECT_TRUE(match("{ $.latency >= 20 }", kEvent));
  EXPECT_FALSE(match("{ $.latency != 20 }", kEvent));
  EXPECT_TRUE(match("{ $.latency = 20.0 }", kEvent));
}

TEST(FilterPattern, JsonAndOrAndParentheses) {
  EXPECT_TRUE(
      match(R"({ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") })", kEvent));
  EXPECT_FALSE(
      match(R"({ ($.user.id = 2) && ($.users[0].email = "John.Doe@example.com") })", kEvent));
  // && binds tighter than ||.
  EXPECT_TRUE(match(
      R"({ $.user.email = "John.Doe@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nonmatch })",
      kEvent));
  EXPECT_FALSE(match(
      R"({ ($.user.email = "x" || $.coordinates[0][1] = 1) && $.actions[2] = nonmatch })", kEvent));
  EXPECT_TRUE(match(R"({ $.coordinates[0][1] = 1 })", kEvent));
}

TEST(FilterPattern, JsonNullExistsAndBooleans) {
  EXPECT_TRUE(match("{ $.nothing IS NULL }", kEvent));
  EXPECT_FALSE(match("{ $.user IS NULL }", kEvent));
  EXPECT_TRUE(match("{ $.missing NOT EXISTS }", kEvent));
  EXPECT_FALSE(match("{ $.user.id NOT EXISTS }", kEvent));
  EXPECT_TRUE(match("{ $.flag IS TRUE }", kEvent));
  EXPECT_TRUE(match("{ $.off IS FALSE }", kEvent));
  EXPECT_FALSE(match("{ $.flag IS FALSE }", kEvent));
}

TEST(FilterPattern, JsonPatternsNeedJsonMessages) {
  EXPECT_FALSE(match(R"({ $.eventType = "UpdateTrail" })", "eventType UpdateTrail"));
  EXPECT_FALSE(match("{ $.a = 1 }", "[1, 2]"));
}

TEST(FilterPattern, SyntaxErrorsAreInvalidParameter) {
  for (std::string_view bad : {"{ $.a = 1", "{ a = 1 }", "{ $.a ~ 1 }", "{ $.a > x }",
                               "\"unterminated", "{ ($.a = 1 }", "{ $.a IS MAYBE }"}) {
    auto fp = FilterPattern::compile(bad);
    ASSERT_FALSE(fp.ok()) << bad;
    EXPECT_EQ(fp.error().code, "InvalidParameterException") << bad;
  }
}

}  // namespace
}  // namespace sluice::services::logs
