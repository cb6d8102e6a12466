// JSONata states through the definition compiler: which fields each query
// language accepts, expressions compiled once and rejected with AWS's codes,
// and the fields runtime causes name.
#include <gtest/gtest.h>

#include "asl/compile.hpp"
#include "asl/jsonata/jsonata.hpp"
#include "asl/jsonata_template.hpp"

namespace sluice::asl {
namespace {

CompileResult compile(std::string_view text) {
  return compileDefinition(text);
}

std::string rejection(std::string_view text) {
  auto r = compile(text);
  EXPECT_FALSE(r.machine) << text;
  return r.diagnostics.empty() ? "" : invalidDefinitionError(r.diagnostics).message;
}

// A JSONata machine with one Pass state whose Output is `output`.
std::string passWithOutput(std::string_view output) {
  return R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": )" +
         std::string(output) + R"(, "End": true}}})";
}

Json json(std::string_view text) {
  auto v = parseJson(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : Json();
}

TEST(JsonataCompile, CompilesEveryJsonataField) {
  auto r = compile(R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
          "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
          "TimeoutSeconds": "{% 30 %}", "HeartbeatSeconds": 10,
          "Assign": {"r": "{% $states.result %}"}, "Output": "{% $states.result.Payload %}",
          "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                     "Next": "F"}],
          "Next": "C"},
    "C": {"Type": "Choice", "Choices": [{"Condition": "{% $r.ok %}", "Next": "M",
                                          "Output": {"x": 1}}], "Default": "W"},
    "W": {"Type": "Wait", "Seconds": "{% $states.input.s %}", "Next": "M"},
    "M": {"Type": "Map", "Items": "{% $states.input.items %}", "MaxConcurrency": "{% 2 %}",
          "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
          "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}},
          "Next": "F"},
    "F": {"Type": "Fail", "Error": "{% 'E' %}", "Cause": "literal"}}})");
  ASSERT_TRUE(r.machine) << invalidDefinitionError(r.diagnostics).message;
  const Machine& m = *r.machine;
  const State& task = *m.find("T");
  EXPECT_TRUE(task.isJsonata());
  EXPECT_TRUE(task.jsonata.arguments);
  EXPECT_TRUE(task.jsonata.assign);
  ASSERT_TRUE(task.jsonata.output);
  EXPECT_EQ(*task.jsonata.output->expressionText(), "$states.result.Payload");
  EXPECT_TRUE(task.as<TaskSpec>().timeoutSeconds.expression);
  EXPECT_EQ(task.as<TaskSpec>().heartbeatSeconds.value, 10);
  ASSERT_EQ(task.catchers.size(), 1u);
  EXPECT_EQ(task.catchers[0].jsonata.output->field(), "Catch[0]/Output");
  const auto& choice = m.find("C")->as<ChoiceSpec>();
  ASSERT_TRUE(choice.choices[0].condition);
  EXPECT_EQ(choice.choices[0].condition->field(), "Choices[0]/Condition");
  EXPECT_TRUE(m.find("W")->as<WaitSpec>().secondsExpression);
  const auto& map = m.find("M")->as<MapSpec>();
  EXPECT_TRUE(map.items);
  EXPECT_TRUE(map.jsonataItemSelector);
  EXPECT_TRUE(map.maxConcurrency.expression);
  const auto& fail = m.find("F")->as<FailSpec>();
  EXPECT_TRUE(fail.errorExpression);
  EXPECT_FALSE(fail.error);
  EXPECT_EQ(fail.cause, "literal");
}

TEST(JsonataCompile, InvalidExpressionIsRejectedWhereItIs) {
  EXPECT_EQ(rejection(passWithOutput(R"({"a": {"b": ["x", "{% 1 + %}"]}})")),
            "Invalid State Machine Definition: 'INVALID_JSONATA_EXPRESSION: Unexpected end of "
            "expression at /States/P/Output/a/b/1'");
}

TEST(JsonataCompile, TopLevelReferenceIsRejected) {
  EXPECT_EQ(rejection(passWithOutput(R"({"v": "{% phone %}"})")),
            "Invalid State Machine Definition: 'UNSUPPORTED_JSONATA_EXPRESSION: Reference to "
            "'phone' at the top level is not supported. at /States/P/Output/v'");
  // Names read from $states, a variable or inside a filter are fine.
  for (std::string_view ok :
       {R"("{% $states.input.phone %}")", R"("{% $v.a.b %}")", R"("{% $states.input[x > 1] %}")",
        R"("{% $map($states.input, function($i) { $i.name }) %}")"}) {
    auto r = compile(passWithOutput(ok));
    EXPECT_TRUE(r.machine) << ok << ": " << invalidDefinitionError(r.diagnostics).message;
  }
}

TEST(JsonataCompile, JsonPathFieldsAreRejectedInJsonataStates) {
  std::string message = rejection(R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
    "P": {"Type": "Pass", "InputPath": "$.a", "End": true}}})");
  EXPECT_EQ(message,
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is "
            "set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' "
            "QueryLanguage at /States/P'");
  for (std::string_view field :
       {R"("Parameters": {})", R"("ResultPath": "$.r")", R"("ResultSelector": {})",
        R"("OutputPath": "$")", R"("TimeoutSecondsPath": "$.t")"}) {
    std::string text = R"({"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {"Type":
      "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true, )" +
                       std::string(field) + "}}}";
    EXPECT_NE(rejection(text).find("only supported for the 'JSONPath' QueryLanguage"),
              std::string::npos)
        << field;
  }
}

TEST(JsonataCompile, JsonataFieldsAreRejectedInJsonPathStates) {
  EXPECT_EQ(rejection(R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Output": {"a": 1}, "End": true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The QueryLanguage is "
            "set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' "
            "QueryLanguage at /States/P'");
  EXPECT_NE(rejection(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {},
          "End": true}}})")
                .find("field 'Arguments' is only supported for the 'JSONata' QueryLanguage"),
            std::string::npos);
}

TEST(JsonataCompile, JsonPathStateUnderJsonataMachineIsRejected) {
  EXPECT_EQ(rejection(R"({"QueryLanguage": "JSONata", "StartAt": "P", "States": {
    "P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": true}}})"),
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can "
            "not be 'JSONPath' if set to 'JSONata' for whole state machine at /States/P'");
  // The other way round is allowed, per state.
  auto r = compile(R"({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 %}", "Next": "Q"},
    "Q": {"Type": "Pass", "End": true}}})");
  ASSERT_TRUE(r.machine);
  EXPECT_TRUE(r.machine->find("P")->isJsonata());
  EXPECT_FALSE(r.machine->find("Q")->isJsonata());
}

TEST(JsonataCompile, ChoiceRulesNeedACondition) {
  std::string message = rejection(R"({"QueryLanguage": "JSONata", "StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": true, "Next": "P"}],
          "Default": "P"},
    "P": {"Type": "Pass", "End": true}}})");
  EXPECT_NE(message.find("Field 'Variable' is not supported at /States/C/Choices/0"),
            std::string::npos);
  EXPECT_NE(message.find("These fields are required: [Condition] at /States/C/Choices/0"),
            std::string::npos);
}

TEST(JsonataCompile, MapItemsMustBeAnArrayOrAnExpression) {
  EXPECT_NE(rejection(R"({"QueryLanguage": "JSONata", "StartAt": "M", "States": {
    "M": {"Type": "Map", "Items": 5, "End": true,
          "ItemProcessor": {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}}}}})")
                .find("at /States/M/Items"),
            std::string::npos);
}

TEST(JsonataTemplate, LiteralsStayAndStringsOutsideDelimitersAreText) {
  std::vector<JsonataProblem> problems;
  auto t = JsonataTemplate::compile(json(R"({"a": " {% 1 %} ", "b": "$.x", "c": [1, null]})"),
                                    "Output", problems);
  ASSERT_TRUE(t);
  EXPECT_TRUE(problems.empty());
  EXPECT_EQ(t->expressionText(), nullptr);
  auto v = t->evaluate(EvalEnv{});
  ASSERT_TRUE(v);
  EXPECT_TRUE(jsonEquals(*v, json(R"({"a": " {% 1 %} ", "b": "$.x", "c": [1, null]})")));
}

TEST(JsonataTemplate, EvaluatesOverStatesAndVariables) {
  std::vector<JsonataProblem> problems;
  auto t = JsonataTemplate::compile(
      json(R"({"in": "{% $states.input.a %}", "res": "{% $states.result %}",
               "v": ["{% $x + 1 %}", "{% $states.errorOutput.Error %}"]})"),
      "Output", problems);
  ASSERT_TRUE(t);
  Json input = json(R"({"a": 5})");
  Json result = json(R"("done")");
  Json error = json(R"({"Error": "E", "Cause": "c"})");
  VarScope outer;
  outer.set("x", 1);
  VarScope inner(&outer);
  inner.set("x", 41);  // the inner scope wins
  EvalEnv env;
  env.input = &input;
  env.result = &result;
  env.errorOutput = &error;
  env.vars = &inner;
  auto v = t->evaluate(env);
  ASSERT_TRUE(v) << v.error().cause;
  EXPECT_TRUE(jsonEquals(*v, json(R"({"in": 5, "res": "done", "v": [42, "E"]})")));
}

TEST(JsonataTemplate, UndefinedResultNamesTheNestedField) {
  std::vector<JsonataProblem> problems;
  auto t = JsonataTemplate::compile(json(R"({"a": {"list": [1, "{% $missing %}"]}})"), "Arguments",
                                    problems);
  ASSERT_TRUE(t);
  auto v = t->evaluate(EvalEnv{});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().error, "States.QueryEvaluationError");
  EXPECT_EQ(v.error().cause,
            "The JSONata expression '$missing' specified for the field 'Arguments/a/list[1]' "
            "returned nothing (undefined).");
  EXPECT_EQ(v.error().evaluationLocation, "Arguments/a/list[1]");
}

TEST(JsonataTemplate, EvaluationErrorCarriesTheJsonataCode) {
  std::vector<JsonataProblem> problems;
  auto t = JsonataTemplate::compile(json(R"("{%  $notAFunction(1)  %}")"), "Output", problems);
  ASSERT_TRUE(t);
  auto v = t->evaluate(EvalEnv{});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().cause,
            "The JSONata expression '$notAFunction(1)' specified for the field 'Output' threw an "
            "error during evaluation. T1006: Attempted to invoke a non-function");
}

TEST(JsonataTemplate, UnexpectedTypeDescribesTheValue) {
  std::vector<JsonataProblem> problems;
  auto t = JsonataTemplate::compile(json(R"("{% {'foo': 'bar'} %}")"), "Items", problems);
  ASSERT_TRUE(t);
  auto v = t->evaluate(EvalEnv{});
  ASSERT_TRUE(v);
  StatesError e = t->unexpectedType(*v, "array");
  EXPECT_EQ(e.error, "States.QueryEvaluationError");
  EXPECT_EQ(e.cause,
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an "
            "unexpected result type. Expected 'array', but was 'object' for value: "
            "{\"foo\":\"bar\"}");
  EXPECT_EQ(e.evaluationLocation, "Items");
}

TEST(JsonataBindings, ReferencesAreBorrowedNotCopied) {
  auto compiled = jsonata::Expression::compile("$s.input.a + $v");
  ASSERT_TRUE(std::holds_alternative<jsonata::Expression>(compiled));
  const auto& expr = std::get<jsonata::Expression>(compiled);
  Json input = json(R"({"a": 2})");
  Json v = 3;
  jsonata::Bindings b;
  b.setObjectRef("s", {{"input", &input}, {"missing", nullptr}});
  b.setRef("v", v);
  auto r = expr.evaluate(nullptr, b);
  ASSERT_TRUE(std::holds_alternative<std::optional<Json>>(r));
  EXPECT_TRUE(jsonEquals(*std::get<std::optional<Json>>(r), Json(5)));
  input.as_object()["a"] = 10;  // the binding sees the caller's value
  r = expr.evaluate(nullptr, b);
  EXPECT_TRUE(jsonEquals(*std::get<std::optional<Json>>(r), Json(13)));
}

}  // namespace
}  // namespace sluice::asl
