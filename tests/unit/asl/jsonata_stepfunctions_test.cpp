// The Step Functions JSONata functions, checked against results recorded
// from AWS (../shared/conformance intrinsic_functions.*_jsonata cases).
#include "asl/jsonata_stepfunctions.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

std::optional<Json> eval(std::string_view expr, IdGenerator& ids) {
  auto compiled = jsonata::Expression::compile(expr);
  EXPECT_TRUE(std::holds_alternative<jsonata::Expression>(compiled)) << expr;
  jsonata::Bindings b;
  addStepFunctionsFunctions(b, ids);
  auto r = std::get<jsonata::Expression>(compiled).evaluate(nullptr, b, {});
  if (auto* e = std::get_if<jsonata::Error>(&r)) {
    ADD_FAILURE() << expr << ": " << e->code << " " << e->message;
    return std::nullopt;
  }
  return std::get<std::optional<Json>>(r);
}

struct Row {
  const char* expr;
  const char* expected;
};

class StepFunctionsJsonata : public ::testing::TestWithParam<Row> {};

TEST_P(StepFunctionsJsonata, MatchesTheRecordedAwsResult) {
  IdGenerator ids(1);
  auto v = eval(GetParam().expr, ids);
  ASSERT_TRUE(v) << GetParam().expr;
  EXPECT_TRUE(jsonEquals(*v, *parseJson(GetParam().expected)))
      << GetParam().expr << " gave " << toJsonText(*v);
}

INSTANTIATE_TEST_SUITE_P(
    Recorded, StepFunctionsJsonata,
    ::testing::Values(Row{"$partition([0], 3)", "[[0]]"},
                      Row{"$partition([0, 1], 1)", "[[0], [1]]"},
                      Row{"$partition([0, 1, 2, 3], 3)", "[[0, 1, 2], [3]]"},
                      Row{"$range(0, 9, 3)", "[0, 3, 6, 9]"},
                      Row{"$range(0, 10, 3)", "[0, 3, 6, 9]"}, Row{"$range(1, 9, 9)", "1"},
                      Row{"$parse(\"-0\")", "0"}, Row{"$parse(\"1.1\")", "1.1"},
                      Row{"$parse('{\"Arg1\": 1, \"Arg2\": []}')", "{\"Arg1\": 1, \"Arg2\": []}"},
                      Row{"$hash('input data', 'SHA-256')",
                          "\"b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3\""}));

TEST(StepFunctionsJsonataRandom, SeededIsReproducibleAndUnseededInRange) {
  IdGenerator ids(7);
  auto a = eval("$random(42)", ids), b = eval("$random(42)", ids);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(toDouble(*a), toDouble(*b));
  auto u = eval("$random()", ids);
  ASSERT_TRUE(u);
  EXPECT_GE(toDouble(*u), 0.0);
  EXPECT_LT(toDouble(*u), 1.0);
  auto id = eval("$uuid()", ids);
  ASSERT_TRUE(id && id->is_string());
  EXPECT_EQ(id->as_string().size(), 36u);
}

}  // namespace
}  // namespace sluice::asl
