#include "asl/intrinsics.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

Json J(std::string_view text) {
  return *parseJson(text);
}

struct Env {
  Json input;
  Json context = J(R"({"Execution":{"Name":"exec-1","Input":{"input_field":{"k":"v"}}},
                      "StateMachine":{"Id":"arn:sm","Name":"my-machine"}})");
  VarScope vars;
  IdGenerator ids{42};
  EvalEnv env() { return EvalEnv{&input, &context, &vars, &ids}; }
};

Outcome<Json> run(std::string_view call, const Json& input) {
  Env e;
  e.input = input;
  auto parsed = IntrinsicCall::parse(call);
  if (!parsed) {
    ADD_FAILURE() << call << ": " << parsed.error().message;
    return StatesError{"parse", parsed.error().message};
  }
  return parsed->evaluate(e.env());
}

// Compact JSON of a successful call.
std::string ok(std::string_view call, const Json& input = Json(json::object())) {
  auto r = run(call, input);
  if (!r) return "ERROR " + r.error().error + ": " + r.error().cause;
  return toJsonText(*r);
}

TEST(IntrinsicParse, LooksLikeCall) {
  EXPECT_TRUE(IntrinsicCall::looksLikeCall("States.Format('x')"));
  EXPECT_TRUE(IntrinsicCall::looksLikeCall("States.UUID()"));
  EXPECT_FALSE(IntrinsicCall::looksLikeCall("$.a"));
  EXPECT_FALSE(IntrinsicCall::looksLikeCall("States.Format"));
  EXPECT_FALSE(IntrinsicCall::looksLikeCall("Format('x')"));
}

TEST(IntrinsicParse, RejectsBadCalls) {
  for (auto bad : {
           "States.Nope(1)",
           "States.Format()",
           "States.Format('{} {}', 1)",  // placeholders vs arguments
           "States.UUID(1)",
           "States.ArrayLength('abc')",  // literal of the wrong type
           "States.ArrayRange(1, 2)",
           "States.JsonMerge($.a, $.b, true)",
           "States.Array(1",
           "States.Array(1) trailing",
           "States.Array('unterminated)",
           "States.Array($.)",
           // scenarios.base_scenarios illegal escapes: only \' \{ \} \\ exist.
           R"(States.StringToJson('{"text":"An \"escaped double quote\" here"}'))",
           R"(States.Format('He said, \"Hello, {}!\"', 'Test \"Name\" Here'))",
       }) {
    EXPECT_FALSE(IntrinsicCall::parse(bad).ok()) << bad;
  }
  std::string deep = "$.x";
  for (int i = 0; i < 11; ++i) deep = "States.Array(" + deep + ")";
  EXPECT_FALSE(IntrinsicCall::parse(deep).ok());
}

TEST(IntrinsicFormat, RendersLikeAws) {
  // intrinsic_functions.generic recordings.
  EXPECT_EQ(ok("States.Format('Formatting argument {}.', $.v)", J(R"({"v":""})")),
            R"("Formatting argument .")");
  EXPECT_EQ(ok("States.Format('Formatting argument {}.', $.v)", J(R"({"v":null})")),
            R"("Formatting argument null.")");
  EXPECT_EQ(ok("States.Format('Formatting argument {}.', $.v)", J(R"({"v":1.1})")),
            R"("Formatting argument 1.1.")");
  EXPECT_EQ(ok("States.Format('fst={} and snd={}.', $.a, $.b)", J(R"({"a":1,"b":" "})")),
            R"("fst=1 and snd= .")");
  EXPECT_EQ(ok("States.Format('fst={}.', $.a)", J(R"({"a":{"Arg1":1,"Arg2":[]}})")),
            R"("fst={Arg1=1, Arg2=[]}.")");
  EXPECT_EQ(ok("States.Format('{}', $.a)", J(R"({"a":["x",true,[1,2]]})")),
            R"("[x, true, [1, 2]]")");
  EXPECT_EQ(ok("States.Format('snd={}.', $$.StateMachine)"),
            R"("snd={Id=arn:sm, Name=my-machine}.")");
  // Escaped braces are text, not placeholders.
  EXPECT_EQ(ok(R"(States.Format('\{\} {} it\'s \\', 'x'))"), R"("{} x it's \\")");
  // A template from the input is split at run time.
  EXPECT_EQ(ok("States.Format($.t, $.n)", J(R"({"t":"Hello, my name is {}.","n":"Arnav"})")),
            R"("Hello, my name is Arnav.")");
  auto mismatch = run("States.Format($.t, 1)", J(R"({"t":"no placeholder"})"));
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().error, "States.IntrinsicFailure");
}

TEST(IntrinsicJson, StringToJsonAndBack) {
  // intrinsic_functions.json_manipulation recordings.
  auto s2j = [](std::string_view s) {
    Json in;
    in.emplace_object()["v"] = json::string(s);
    return ok("States.StringToJson($.v)", in);
  };
  EXPECT_EQ(s2j(" "), "null");
  EXPECT_EQ(s2j("null"), "null");
  EXPECT_EQ(s2j("-0"), "0");
  EXPECT_EQ(s2j("1.1"), "1.1");
  EXPECT_EQ(s2j("true"), "true");
  EXPECT_EQ(s2j(R"("HelloWorld")"), R"("HelloWorld")");
  EXPECT_EQ(s2j(R"([1, 2, "HelloWorld"])"), R"([1,2,"HelloWorld"])");
  EXPECT_EQ(s2j(R"({"Arg1": 1, "Arg2": []})"), R"({"Arg1":1,"Arg2":[]})");
  EXPECT_EQ(
      s2j("{bad"),
      "ERROR States.IntrinsicFailure: The function 'States.StringToJson($.v)' "
      "had the following error: The string is not valid JSON: " +
          [] {
            std::string e;
            parseJson("{bad", &e);
            return e;
          }());
  EXPECT_EQ(ok("States.JsonToString($.v)", J(R"({"v":null})")), R"("null")");
  EXPECT_EQ(ok("States.JsonToString($.v)", J(R"({"v":"HelloWorld"})")), R"("\"HelloWorld\"")");
  EXPECT_EQ(ok("States.JsonToString($.v)", J(R"({"v":{"test":"object"}})")),
            R"("{\"test\":\"object\"}")");
}

TEST(IntrinsicJson, JsonMergeIsShallow) {
  EXPECT_EQ(ok("States.JsonMerge($.a, $.b, false)",
               J(R"({"a":{"a":1,"b":{"x":1}},"b":{"c":3,"b":{"y":2}}})")),
            R"({"a":1,"b":{"y":2},"c":3})");
  // intrinsic_functions.json_manipulation/test_json_merge_escaped_argument.
  EXPECT_EQ(
      ok(R"(States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Input.input_field, false))"),
      R"({"constant_in_literal":"false","k":"v"})");
  auto deep = run("States.JsonMerge($.a, $.a, $.t)", J(R"({"a":{},"t":true})"));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().error, "States.IntrinsicFailure");
}

TEST(IntrinsicArray, Functions) {
  EXPECT_EQ(ok("States.Array()"), "[]");
  EXPECT_EQ(ok("States.Array('a', 1, -2.5, true, null, $.x)", J(R"({"x":{"k":[]}})")),
            R"(["a",1,-2.5,true,null,{"k":[]}])");
  EXPECT_EQ(ok("States.ArrayPartition($.a, 2)", J(R"({"a":[0,1,2,3,4]})")), "[[0,1],[2,3],[4]]");
  EXPECT_EQ(ok("States.ArrayPartition($.a, 5)", J(R"({"a":[]})")), "[]");
  EXPECT_EQ(run("States.ArrayPartition($.a, 0)", J(R"({"a":[1]})")).error().error,
            "States.IntrinsicFailure");
  EXPECT_EQ(ok("States.ArrayContains($.a, $.v)", J(R"({"a":[[1,2,3],2],"v":[1,2,3]})")), "true");
  EXPECT_EQ(ok("States.ArrayContains($.a, $.v)", J(R"({"a":[[1,2,3],2],"v":null})")), "false");
  EXPECT_EQ(ok("States.ArrayContains($.a, $.v)", J(R"({"a":[{"1":2,"2":[]}],"v":{"1":2,"2":[]}})")),
            "true");
  EXPECT_EQ(ok("States.ArrayRange(1, 9, 2)"), "[1,3,5,7,9]");
  EXPECT_EQ(ok("States.ArrayRange(0, 9, 3)"), "[0,3,6,9]");
  EXPECT_EQ(ok("States.ArrayRange(1, 9, 9)"), "[1]");
  EXPECT_EQ(ok("States.ArrayRange(5, 1, -2)"), "[5,3,1]");
  EXPECT_EQ(ok("States.ArrayRange(5, 1, 1)"), "[]");
  EXPECT_EQ(run("States.ArrayRange(1, 2, 0)", Json()).error().error, "States.IntrinsicFailure");
  EXPECT_EQ(run("States.ArrayRange(0, 1000, 1)", Json()).error().error, "States.IntrinsicFailure");
  EXPECT_EQ(ok("States.ArrayLength(States.ArrayRange(0, 999, 1))"), "1000");
  EXPECT_EQ(ok("States.ArrayGetItem($.a, 5)", J(R"({"a":[1,2,3,4,5,6,7,8,9]})")), "6");
  EXPECT_EQ(run("States.ArrayGetItem($.a, 9)", J(R"({"a":[1]})")).error().error,
            "States.IntrinsicFailure");
  EXPECT_EQ(ok("States.ArrayLength($.a)", J(R"({"a":[1,2,3]})")), "3");
  EXPECT_EQ(ok("States.ArrayUnique($.a)", J(R"({"a":[1,2,2,3,3,4]})")), "[1,2,3,4]");
  EXPECT_EQ(ok("States.ArrayUnique($.a)", J(R"({"a":[1,1.0,{"a":1,"b":2},{"b":2,"a":1},"1"]})")),
            R"([1,{"a":1,"b":2},"1"])");
}

TEST(IntrinsicArray, RuntimeTypeErrors) {
  auto r = run("States.ArrayLength($.a)", J(R"({"a":"text"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.IntrinsicFailure");
  EXPECT_EQ(
      r.error().cause.rfind("The function 'States.ArrayLength($.a)' had the following error", 0),
      0u);
}

TEST(IntrinsicEncoding, Base64AndHash) {
  EXPECT_EQ(ok("States.Base64Encode('Data to encode')"), R"("RGF0YSB0byBlbmNvZGU=")");
  EXPECT_EQ(ok("States.Base64Encode('a')"), R"("YQ==")");
  EXPECT_EQ(ok("States.Base64Encode('ab')"), R"("YWI=")");
  EXPECT_EQ(ok("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')"), R"("Data to encode")");
  EXPECT_EQ(ok("States.Base64Decode('')"), R"("")");
  EXPECT_EQ(ok("States.Base64Decode('YQ')"), R"("a")");
  EXPECT_EQ(run("States.Base64Decode('@@@@')", Json()).error().error, "States.IntrinsicFailure");
  Json big;
  big.emplace_object()["s"] = json::string(std::string(10001, 'x'));
  EXPECT_EQ(run("States.Base64Encode($.s)", big).error().error, "States.IntrinsicFailure");
  // intrinsic_functions.hash_calculations recordings.
  EXPECT_EQ(ok("States.Hash('input data', 'SHA-1')"),
            R"("aaff4a450a104cd177d28d18d74485e8cae074b7")");
  EXPECT_EQ(ok("States.Hash('input data', 'SHA-256')"),
            R"("b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3")");
  EXPECT_EQ(
      ok("States.Hash('input data', 'SHA-384')"),
      R"("d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562")");
  EXPECT_EQ(
      ok("States.Hash('input data', 'SHA-512')"),
      R"("6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4")");
  EXPECT_EQ(ok("States.Hash('input data', 'MD5')"), R"("812f45842bc6d66ee14572ce20db8e86")");
  EXPECT_EQ(run("States.Hash('x', 'SHA-3')", Json()).error().error, "States.IntrinsicFailure");
}

TEST(IntrinsicMath, AddRoundsLikeJava) {
  // intrinsic_functions.math_operations recordings.
  auto add = [](std::string_view a, std::string_view b) {
    return ok("States.MathAdd($.a, $.b)",
              J("{\"a\":" + std::string(a) + ",\"b\":" + std::string(b) + "}"));
  };
  EXPECT_EQ(add("1.49", "1.5"), "3");
  EXPECT_EQ(add("-1.51", "0"), "-2");
  EXPECT_EQ(add("0.5", "0"), "1");
  EXPECT_EQ(add("-0.5", "0"), "0");
  EXPECT_EQ(add("-0.5", "0.5"), "1");
  EXPECT_EQ(add("-2.5", "0"), "-2");
  EXPECT_EQ(add("-3.5", "0"), "-3");
  EXPECT_EQ(add("-1.5", "-1.51"), "-3");
  EXPECT_EQ(add("1.49", "-1.49"), "0");
  EXPECT_EQ(ok("States.MathAdd(111, -1)"), "110");
  EXPECT_EQ(run("States.MathAdd($.a, 1)", J(R"({"a":"1"})")).error().error,
            "States.IntrinsicFailure");
}

TEST(IntrinsicMath, Random) {
  for (int i = 0; i < 50; ++i) {
    auto r = run("States.MathRandom(1, 5)", Json());
    ASSERT_TRUE(r.ok());
    auto v = toInteger(*r);
    ASSERT_TRUE(v);
    EXPECT_GE(*v, 1);
    EXPECT_LE(*v, 5);
  }
  // A seed makes the value reproducible.
  std::string first = ok("States.MathRandom(0, 999, 3)");
  EXPECT_EQ(ok("States.MathRandom(0, 999, 3)"), first);
  EXPECT_EQ(ok("States.MathRandom(7, 7)"), "7");
  EXPECT_EQ(run("States.MathRandom(5, 1)", Json()).error().error, "States.IntrinsicFailure");
}

TEST(IntrinsicString, SplitUsesEveryDelimiterCharacter) {
  // intrinsic_functions.string_operations recordings.
  auto split = [](std::string_view s, std::string_view d) {
    Json in;
    in.emplace_object()["s"] = json::string(s);
    in.get_object()["d"] = json::string(d);
    return ok("States.StringSplit($.s, $.d)", in);
  };
  EXPECT_EQ(split(" ", ","), R"([" "])");
  EXPECT_EQ(split(" , ", ","), R"([" "," "])");
  EXPECT_EQ(split(", , ,", ","), R"([" "," "])");
  EXPECT_EQ(split(",,,,", ","), "[]");
  EXPECT_EQ(split("1,2,3,4,5", ","), R"(["1","2","3","4","5"])");
  EXPECT_EQ(split("This.is+a,test=string", ".+,="), R"(["This","is","a","test","string"])");
  EXPECT_EQ(split("Value6\n,,,\ntrue", ","), R"(["Value6\n","\ntrue"])");
}

TEST(IntrinsicGeneric, NestedCallsAndUuid) {
  // intrinsic_functions.generic/test_nested_calls_1.
  EXPECT_EQ(ok("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)"), R"("my")");
  auto uuid = run("States.UUID()", Json());
  ASSERT_TRUE(uuid.ok());
  ASSERT_TRUE(uuid->is_string());
  EXPECT_EQ(uuid->get_string().size(), 36u);
  EXPECT_EQ(ok("States.Array($v)"),
            "ERROR States.Runtime: The function 'States.Array($v)' had "
            "the following error: The JsonPath argument for the field "
            "'$v' could not be found in the input 'null'");
}

TEST(IntrinsicGeneric, MissingPathArgument) {
  auto r = run("States.Format('{}', States.Array($.nope))", J(R"({"a":1})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error, "States.Runtime");
  EXPECT_EQ(r.error().cause,
            "The function 'States.Array($.nope)' had the following error: The JsonPath argument "
            "for the field '$.nope' could not be found in the input '{\"a\":1}'");
  // Indefinite paths select a (possibly empty) list instead of failing.
  EXPECT_EQ(ok("States.ArrayLength($.a[*])", J(R"({"a":[]})")), "0");
}

TEST(IntrinsicGeneric, VariablesAsArguments) {
  Env e;
  e.vars.set("name", "John");
  auto call = IntrinsicCall::parse("States.Format('Hello {}, welcome to {}!', $name, 'X')");
  ASSERT_TRUE(call.ok());
  auto r = call->evaluate(e.env());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(toJsonText(*r), R"("Hello John, welcome to X!")");
}

}  // namespace
}  // namespace sluice::asl
