#include "asl/payload_template.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

Json J(std::string_view text) {
  return *parseJson(text);
}

struct Fixture {
  Json input;
  Json context = J(R"J({"Execution":{"Id":"arn:exec","Input":{"int-literal":0}},
                      "Map":{"Item":{"Index":1,"Value":"World"}}})J");
  VarScope vars;
  IdGenerator ids{7};
  EvalEnv env() { return EvalEnv{&input, &context, &vars, &ids}; }
};

PayloadTemplate compile(std::string_view tmpl) {
  auto t = PayloadTemplate::compile(J(tmpl));
  EXPECT_TRUE(t.ok()) << tmpl << ": " << (t.ok() ? "" : t.error().message);
  return std::move(t).value();
}

TEST(PayloadTemplateCompile, RejectsInvalidDynamicValues) {
  struct Case {
    const char* tmpl;
    const char* key;
  } cases[] = {
      {R"J({"a.$":"not a path"})J", "a.$"},
      {R"J({"a.$":5})J", "a.$"},
      {R"J({"nested":{"x.$":"$.a["}})J", "x.$"},
      {R"J({"list":[{"y.$":"States.Nope()"}]})J", "y.$"},
      {R"J({"parsed.$":"States.StringToJson('{\"text\":\"An \\\"escaped\\\" here\"}')"})J",
       "parsed.$"},
  };
  for (const auto& c : cases) {
    auto t = PayloadTemplate::compile(J(c.tmpl));
    ASSERT_FALSE(t.ok()) << c.tmpl;
    EXPECT_EQ(t.error().message, std::string("The value for the field '") + c.key +
                                     "' must be a valid JSONPath or a valid intrinsic function "
                                     "call");
  }
}

TEST(PayloadTemplateEval, PathsIntrinsicsAndStaticParts) {
  Fixture f;
  f.input = J(R"J({"content":{"bucket":"b","values":["1","2"]},"n":3})J");
  f.vars.set("greeting", "hi");
  auto t = compile(R"J({
    "static": {"keep": [1, {"k.$ignored": "$.x"}]},
    "bucket.$": "$.content.bucket",
    "value.$": "$$.Map.Item.Value",
    "all.$": "$",
    "var.$": "$greeting",
    "values.$": "$.content.values[*]",
    "nested": {"first.$": "$.content.values[0]", "lit": "x"},
    "list": [{"n.$": "$.n"}, 2],
    "fmt.$": "States.Format('n={}', $.n)"
  })J");
  auto out = t.evaluate(f.env());
  ASSERT_TRUE(out.ok()) << out.error().cause;
  EXPECT_EQ(toJsonText(*out),
            R"J({"static":{"keep":[1,{"k.$ignored":"$.x"}]},"bucket":"b","value":"World",)J"
            R"J("all":{"content":{"bucket":"b","values":["1","2"]},"n":3},"var":"hi",)J"
            R"J("values":["1","2"],"nested":{"first":"1","lit":"x"},"list":[{"n":3},2],)J"
            R"J("fmt":"n=3"})J");
  EXPECT_EQ(toJsonText(t.source()), toJsonText(J(R"J({
    "static": {"keep": [1, {"k.$ignored": "$.x"}]},
    "bucket.$": "$.content.bucket",
    "value.$": "$$.Map.Item.Value",
    "all.$": "$",
    "var.$": "$greeting",
    "values.$": "$.content.values[*]",
    "nested": {"first.$": "$.content.values[0]", "lit": "x"},
    "list": [{"n.$": "$.n"}, 2],
    "fmt.$": "States.Format('n={}', $.n)"
  })J")));
}

TEST(PayloadTemplateEval, IndefinitePathWithNoMatchIsEmptyList) {
  Fixture f;
  f.input = J("{}");
  auto out = compile(R"J({"item.$":"$.item.items[1:5]"})J").evaluate(f.env());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(toJsonText(*out), R"J({"item":[]})J");
}

TEST(PayloadTemplateEval, MissingPathIsRuntimeError) {
  // scenarios.base_scenarios INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH.
  Fixture f;
  f.input = J(R"J({"int-literal":0})J");
  auto out = compile(R"J({"value.$":"$.no_such_jsonpath"})J").evaluate(f.env());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.Runtime");
  EXPECT_EQ(out.error().cause,
            "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
            "found in the input '{\"int-literal\":0}'");
  // A context path is looked up in (and reported against) the context object.
  auto ctx = compile(R"J({"nested":{"value.$":"$$.Execution.Input.no_such_jsonpath"}})J")
                 .evaluate(f.env());
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error().cause,
            "The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field 'value.$' "
            "could not be found in the input '" +
                toJsonText(f.context) + "'");
}

TEST(PayloadTemplateEval, IntrinsicErrorsPropagate) {
  Fixture f;
  f.input = J(R"J({"a":"x"})J");
  auto out = compile(R"J({"len.$":"States.ArrayLength($.a)"})J").evaluate(f.env());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.IntrinsicFailure");
}

TEST(PayloadTemplateEval, NonObjectTemplates) {
  Fixture f;
  f.input = J(R"J({"a":1})J");
  auto arr = compile(R"J([{"x.$":"$.a"}, "s"])J").evaluate(f.env());
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(toJsonText(*arr), R"J([{"x":1},"s"])J");
  auto scalar = compile(R"J("$.a")J").evaluate(f.env());
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(toJsonText(*scalar), R"J("$.a")J");
}

}  // namespace
}  // namespace sluice::asl
