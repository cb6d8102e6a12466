#include "asl/choice.hpp"

#include <gtest/gtest.h>

#include "asl/choice_string.hpp"

namespace sluice::asl {
namespace {

Json parse(std::string_view text) {
  auto v = parseJson(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : Json();
}

Outcome<bool> evalRule(std::string_view rule, std::string_view input) {
  auto compiled = ChoiceRule::compile(parse(rule), "/States/C/Choices/0");
  if (!compiled) return StatesError{"CompileError", compiled.error().message};
  Json in = parse(input);
  Json ctx = JsonObject{};
  VarScope vars;
  EvalEnv env{&in, &ctx, &vars, nullptr};
  return compiled->evaluate(env);
}

bool isTrue(std::string_view rule, std::string_view input) {
  auto r = evalRule(rule, input);
  EXPECT_TRUE(r.ok()) << rule << " on " << input << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() && *r;
}

// Rows lifted from the recorded choice_operators.* conformance cases:
// {rule, input, expected}.
struct Row {
  const char* rule;
  const char* input;
  bool expected;
};

class ChoiceConformance : public ::testing::TestWithParam<Row> {};

TEST_P(ChoiceConformance, MatchesAws) {
  const Row& row = GetParam();
  EXPECT_EQ(isTrue(row.rule, row.input), row.expected) << row.rule << " on " << row.input;
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, ChoiceConformance,
    ::testing::Values(
        Row{R"({"Variable":"$.V","BooleanEquals":false})", R"({"V":null})", false},
        Row{R"({"Variable":"$.V","BooleanEquals":true})", R"({"V":1})", false},
        Row{R"({"Variable":"$.V","BooleanEquals":false})", R"({"V":false})", true},
        Row{R"({"Variable":"$.V","BooleanEqualsPath":"$.W"})", R"({"V":true,"W":true})", true},
        Row{R"({"Variable":"$.V","IsBoolean":false})", R"({"V":""})", true},
        Row{R"({"Variable":"$.V","IsNull":false})", R"({"V":null})", false},
        Row{R"({"Variable":"$.V","IsNull":true})", R"({"V":null})", true},
        Row{R"({"Variable":"$.V","IsNumeric":true})", R"({"V":0.0})", true},
        Row{R"({"Variable":"$.V","IsNumeric":true})", R"({"V":"2012-10-09T19:00:55Z"})", false},
        Row{R"({"Variable":"$.V","IsPresent":true})", R"({"V":null})", true},
        Row{R"({"Variable":"$.V","IsPresent":false})", R"({"V":0})", false},
        Row{R"({"Variable":"$.V","IsString":false})", R"({"V":null})", true},
        Row{R"({"Variable":"$.V","NumericEquals":1.0})", R"({"V":1})", true},
        Row{R"({"Variable":"$.V","NumericEquals":0})", R"({"V":""})", false},
        Row{R"({"Variable":"$.V","NumericEquals":1})", R"({"V":true})", false},
        Row{R"({"Variable":"$.V","NumericEqualsPath":"$.W"})", R"({"V":2.22,"W":2.22})", true},
        Row{R"({"Variable":"$.V","NumericGreaterThanPath":"$.W"})", R"({"V":0.0,"W":0})", false},
        Row{R"({"Variable":"$.V","NumericLessThanEquals":0})", R"({"V":0.0})", true},
        Row{R"({"Variable":"$.V","StringEquals":"\t\r\n"})", R"({"V":"\t\n"})", false},
        Row{R"({"Variable":"$.V","StringGreaterThan":"A "})", R"({"V":"A"})", false},
        Row{R"({"Variable":"$.V","StringGreaterThanEquals":"A"})", R"({"V":"AB"})", true},
        Row{R"({"Variable":"$.V","StringLessThan":"AB"})", R"({"V":"A"})", true},
        Row{R"({"Variable":"$.V","StringLessThanEquals":""})", R"({"V":""})", true},
        Row{R"({"Variable":"$.V","TimestampEquals":"2012-10-09T19:00:55Z"})", R"({"V":" "})",
            false},
        Row{R"({"Variable":"$.V","TimestampGreaterThan":"2012-10-09T19:00:55Z"})",
            R"({"V":"2012-10-09T19:00:56Z"})", true},
        Row{R"({"Variable":"$.V","TimestampLessThanEqualsPath":"$.W"})",
            R"({"V":"2012-10-09T19:00:56Z","W":"2012-10-09T19:00:55Z"})", false}));

TEST(ChoiceRule, TimestampsCompareAsInstants) {
  EXPECT_TRUE(isTrue(R"({"Variable":"$.V","TimestampEquals":"2012-10-09T19:00:55Z"})",
                     R"({"V":"2012-10-09T20:00:55+01:00"})"));
  EXPECT_FALSE(isTrue(R"({"Variable":"$.V","TimestampEquals":"2012-10-09T19:00:55Z"})",
                      R"({"V":"2012-10-09T19:00:55"})"));
  EXPECT_TRUE(
      isTrue(R"({"Variable":"$.V","IsTimestamp":true})", R"({"V":"2012-10-09T19:00:55Z"})"));
  EXPECT_FALSE(isTrue(R"({"Variable":"$.V","IsTimestamp":true})", R"({"V":"2023-02-24"})"));
}

TEST(ChoiceRule, StringMatchesWildcardsAndEscapes) {
  auto m = [](const char* pattern, const char* value) {
    Json rule = JsonObject{{"Variable", "$.V"}, {"StringMatches", pattern}};
    Json in = JsonObject{{"V", value}};
    return isTrue(toJsonText(rule), toJsonText(in));
  };
  EXPECT_TRUE(m("log-*.txt", "log-2024.txt"));
  EXPECT_TRUE(m("log-*.txt", "log-.txt"));
  EXPECT_FALSE(m("log-*.txt", "log-2024.txt.gz"));
  EXPECT_TRUE(m("*", ""));
  EXPECT_TRUE(m("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(m("a*b*c", "acb"));
  EXPECT_TRUE(m(R"(a\*b)", "a*b"));
  EXPECT_FALSE(m(R"(a\*b)", "aXb"));
  EXPECT_TRUE(m(R"(a\\*)", R"(a\anything)"));
  EXPECT_TRUE(m("exact", "exact"));
  EXPECT_FALSE(m("exact", "exactly"));
  EXPECT_FALSE(isTrue(R"({"Variable":"$.V","StringMatches":"*"})", R"({"V":1})"));
}

TEST(ChoiceRule, ConnectivesNest) {
  const char* rule = R"({"And":[{"Variable":"$.a","NumericGreaterThan":1},
      {"Or":[{"Variable":"$.b","StringEquals":"x"},{"Not":{"Variable":"$.c","IsPresent":true}}]}]})";
  EXPECT_TRUE(isTrue(rule, R"({"a":2,"b":"x","c":1})"));
  EXPECT_TRUE(isTrue(rule, R"({"a":2,"b":"y"})"));
  EXPECT_FALSE(isTrue(rule, R"({"a":2,"b":"y","c":1})"));
  EXPECT_FALSE(isTrue(rule, R"({"a":1,"b":"x"})"));
}

TEST(ChoiceRule, MissingVariableIsARuntimeError) {
  auto r = evalRule(R"({"Variable":"$.missing","StringEquals":"x"})", R"({})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "Invalid path '$.missing': The choice state's condition path references an invalid "
            "value.");
  auto p = evalRule(R"({"Variable":"$.a","NumericEqualsPath":"$.nope"})", R"({"a":1})");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().error, "States.Runtime");
  EXPECT_FALSE(isTrue(R"({"Variable":"$.missing","IsPresent":true})", "{}"));
  EXPECT_TRUE(isTrue(R"({"Variable":"$.missing","IsPresent":false})", "{}"));
}

TEST(ChoiceRule, ShortCircuitsBeforeMissingPaths) {
  EXPECT_FALSE(isTrue(
      R"({"And":[{"Variable":"$.a","IsPresent":true},{"Variable":"$.a","NumericEquals":1}]})",
      "{}"));
}

TEST(ChoiceRule, ReadsContextAndVariables) {
  auto compiled =
      ChoiceRule::compile(parse(R"({"Variable":"$$.Execution.Name","StringEquals":"run"})"), "/x");
  ASSERT_TRUE(compiled);
  Json in = JsonObject{};
  Json ctx = parse(R"({"Execution":{"Name":"run"}})");
  VarScope vars;
  vars.set("limit", 3);
  EvalEnv env{&in, &ctx, &vars, nullptr};
  auto r = compiled->evaluate(env);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  auto v = ChoiceRule::compile(parse(R"({"Variable":"$limit","NumericEquals":3})"), "/x");
  ASSERT_TRUE(v);
  auto rv = v->evaluate(env);
  ASSERT_TRUE(rv.ok());
  EXPECT_TRUE(*rv);
}

TEST(ChoiceRule, CompileRejectsMalformedRules) {
  auto err = [](std::string_view rule) {
    auto r = ChoiceRule::compile(parse(rule), "/States/C/Choices/0");
    return r ? std::string() : r.error().message;
  };
  EXPECT_EQ(err(R"({"Variable":"$.a","NumericEquals":"1"})"),
            "Expected value of type: Number at /States/C/Choices/0/NumericEquals");
  EXPECT_EQ(err(R"({"NumericEquals":1})"),
            "These fields are required: [Variable] at /States/C/Choices/0");
  EXPECT_EQ(err(R"({"Variable":"$.a","NumberEquals":1})"),
            "Field 'NumberEquals' is not supported at /States/C/Choices/0");
  EXPECT_EQ(err(R"({"Variable":"$.a","TimestampEquals":"yesterday"})"),
            "String does not match RFC3339 timestamp at /States/C/Choices/0/TimestampEquals");
  EXPECT_EQ(err(R"({"Variable":"$.a","StringEqualsPath":"not a path"})"),
            "The value for the field 'StringEqualsPath' must be a valid JSONPath at "
            "/States/C/Choices/0/StringEqualsPath");
  EXPECT_EQ(err(R"({"And":[{"Variable":"$.a","IsNull":"yes"}]})"),
            "Expected value of type: Boolean at /States/C/Choices/0/And/0/IsNull");
  EXPECT_EQ(err(R"({"And":[]})"), "Array must contain at least 1 item at /States/C/Choices/0/And");
  EXPECT_FALSE(err(R"({"Not":{"Variable":"$.a","IsNull":true,"Next":"X"}})").empty());
  EXPECT_TRUE(err(R"({"Variable":"$.a","IsNull":true,"Next":"X","Comment":"c"})").empty());
}

TEST(ChoiceString, OrdersLikeJavaCompareTo) {
  EXPECT_LT(compareUtf16("A", "AB"), 0);
  EXPECT_GT(compareUtf16("b", "a"), 0);
  EXPECT_EQ(compareUtf16("", ""), 0);
  // U+FF5E sorts before U+1F600 by UTF-8 bytes, but after it in UTF-16,
  // where U+1F600 starts with the surrogate 0xD83D.
  EXPECT_GT(compareUtf16("\xEF\xBD\x9E", "\xF0\x9F\x98\x80"), 0);
}

}  // namespace
}  // namespace sluice::asl
