#include "asl/jsonata/jsonata.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::asl::jsonata {
namespace {

Json J(std::string_view text) {
  return *parseJson(text);
}

Expression compiled(std::string_view text) {
  auto r = Expression::compile(text);
  EXPECT_TRUE(std::holds_alternative<Expression>(r)) << text;
  return std::get<Expression>(std::move(r));
}

// Result as JS-style JSON text, "undefined", or "error CODE".
std::string eval(std::string_view text, const Json* input = nullptr,
                 const Bindings& bindings = Bindings(), const Limits& limits = Limits()) {
  auto c = Expression::compile(text);
  if (auto* e = std::get_if<Error>(&c)) return "error " + e->code;
  auto r = std::get<Expression>(c).evaluate(input, bindings, limits);
  if (auto* e = std::get_if<Error>(&r)) return "error " + e->code;
  const auto& v = std::get<std::optional<Json>>(r);
  return v ? toJsText(*v) : "undefined";
}

TEST(Jsonata, CompileOnceEvaluateMany) {
  Expression e = compiled("$sum(items.price) * $rate");
  Bindings b;
  b.set("rate", 2);
  for (int i = 1; i <= 3; ++i) {
    Json doc = J(R"({"items":[{"price":1},{"price":2}]})");
    doc.as_object()["items"].as_array().push_back(json::object{{"price", i}});
    auto r = e.evaluate(&doc, b);
    ASSERT_TRUE(std::holds_alternative<std::optional<Json>>(r));
    ASSERT_TRUE(std::get<std::optional<Json>>(r).has_value());
    EXPECT_EQ(toJsText(*std::get<std::optional<Json>>(r)), std::to_string((3 + i) * 2));
  }
}

TEST(Jsonata, UndefinedVersusNull) {
  Json doc = J(R"({"a":null})");
  EXPECT_EQ(eval("a", &doc), "null");
  EXPECT_EQ(eval("b", &doc), "undefined");
  EXPECT_EQ(eval("$", nullptr), "undefined");
}

TEST(Jsonata, SequencesAndKeepArray) {
  Json doc = J(R"({"a":[{"b":1},{"b":2}],"c":[{"b":3}]})");
  EXPECT_EQ(eval("a.b", &doc), "[1,2]");
  EXPECT_EQ(eval("c.b", &doc), "3");
  EXPECT_EQ(eval("c.b[]", &doc), "[3]");
}

TEST(Jsonata, NumbersPrintLikeJavaScript) {
  EXPECT_EQ(eval("1.0"), "1");
  EXPECT_EQ(eval("$string(1e21)"), "\"1e+21\"");
  EXPECT_EQ(eval("$string(0.1 + 0.2)"), "\"0.3\"");
  EXPECT_EQ(eval("1/3"), "0.3333333333333333");
}

TEST(Jsonata, SyntaxErrorHasCodeAndPosition) {
  auto r = Expression::compile("1 + ");
  ASSERT_TRUE(std::holds_alternative<Error>(r));
  EXPECT_EQ(std::get<Error>(r).code, "S0207");
  EXPECT_FALSE(std::get<Error>(r).message.empty());
}

TEST(Jsonata, BindingsWithNativeFunction) {
  Bindings b;
  b.setFunction(
      "twice",
      [](FunctionArgs args) -> std::optional<Json> {
        if (!args[0]) return std::nullopt;
        return Json(args[0]->to_number<double>() * 2);
      },
      "<n:n>");
  b.setFunction("fail", [](FunctionArgs) -> std::optional<Json> {
    throw Error{"X0001", -1, "", "native failure"};
  });
  EXPECT_EQ(eval("$twice(21)", nullptr, b), "42");
  EXPECT_EQ(eval("[1,2,3].$twice($)", nullptr, b), "[2,4,6]");
  EXPECT_EQ(eval("$map([1,2], $twice)", nullptr, b), "[2,4]");
  EXPECT_EQ(eval("$twice('a')", nullptr, b), "error T0410");
  EXPECT_EQ(eval("$fail()", nullptr, b), "error X0001");
}

TEST(Jsonata, NativeFunctionReturningStructure) {
  Bindings b;
  b.setFunction("obj", [](FunctionArgs) -> std::optional<Json> { return J(R"({"xs":[1,2,3]})"); });
  EXPECT_EQ(eval("$sum($obj().xs)", nullptr, b), "6");
}

TEST(Jsonata, DepthLimit) {
  Limits limits;
  limits.maxDepth = 200;
  EXPECT_EQ(eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(10000))", nullptr,
                 Bindings(), limits),
            "error U1001");
  // Tail calls do not grow the stack.
  EXPECT_EQ(eval("($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; "
                 "$f(20000, 0))",
                 nullptr, Bindings(), limits),
            "20000");
}

TEST(Jsonata, DeepRecursionWithoutLimitFailsCleanly) {
  EXPECT_EQ(eval("($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(1000000))"),
            "error U1001");
}

TEST(Jsonata, TimeLimit) {
  Limits limits;
  limits.timeLimit = std::chrono::milliseconds(50);
  EXPECT_EQ(eval("($f := function($n){ $f($n + 1) }; $f(0))", nullptr, Bindings(), limits),
            "error U1001");
}

TEST(Jsonata, ConcurrentEvaluationOfOneExpression) {
  Expression e = compiled("$join($map(xs, function($x){ $string($x * 2) }), ',')");
  Json doc = J(R"({"xs":[1,2,3]})");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = e.evaluate(&doc);
        if (auto* v = std::get_if<std::optional<Json>>(&r); v && *v && **v == "2,4,6") ok++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 800);
}

}  // namespace
}  // namespace sluice::asl::jsonata
