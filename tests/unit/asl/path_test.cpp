#include "asl/path.hpp"

#include <gtest/gtest.h>

namespace sluice::asl {
namespace {

Json J(std::string_view text) {
  return *parseJson(text);
}

Path P(std::string_view text) {
  auto p = Path::parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error().message);
  return std::move(p).value();
}

// Text of what `path` selects from `doc`, or "<none>".
std::string sel(std::string_view path, const Json& doc) {
  auto v = P(path).selectFrom(doc);
  return v ? toJsonText(*v) : "<none>";
}

const Json kStore = J(R"({"store":{"book":[
  {"category":"reference","author":"Nigel Rees","title":"Sayings","price":8.95},
  {"category":"fiction","author":"Evelyn Waugh","title":"Sword","price":12.99},
  {"category":"fiction","author":"Herman Melville","title":"Moby Dick","isbn":"0-553","price":8.99},
  {"category":"fiction","author":"J. R. R. Tolkien","title":"LOTR","isbn":"0-395","price":22.99}],
  "bicycle":{"color":"red","price":19.95}},"expensive":10})");

TEST(PathParse, RootsAndFlags) {
  auto in = P("$.a.b");
  EXPECT_EQ(in.root(), Path::Root::Input);
  EXPECT_TRUE(in.isDefinite());
  EXPECT_TRUE(in.isReferencePath());
  EXPECT_EQ(P("$$.Execution.Id").root(), Path::Root::Context);
  auto var = P("$myVar.items[0]");
  EXPECT_EQ(var.root(), Path::Root::Variable);
  EXPECT_EQ(var.variable(), "myVar");
  EXPECT_TRUE(var.isReferencePath());
  EXPECT_EQ(P("$").root(), Path::Root::Input);
  EXPECT_EQ(P("$$").root(), Path::Root::Context);
  for (auto indefinite : {"$.a[*]", "$..a", "$.a[1:2]", "$.a[0,1]", "$.a[?(@.x)]", "$.*"}) {
    EXPECT_FALSE(P(indefinite).isDefinite()) << indefinite;
    EXPECT_FALSE(P(indefinite).isReferencePath()) << indefinite;
  }
}

TEST(PathParse, RejectsInvalidPaths) {
  for (auto bad : {"", "a.b", "$.", "$.a.", "$[", "$['a'", "$[abc]", "$.a[?(@.x <)]", "$ .a",
                   "$[?(@.a == 'x']", "$..", "$.a[1:2:3]"}) {
    EXPECT_FALSE(Path::parse(bad).ok()) << bad;
  }
}

TEST(PathParse, NormalizedRendering) {
  EXPECT_EQ(P("$.NoSuchInputPath").normalized(), "$['NoSuchInputPath']");
  EXPECT_EQ(P("$.a['b'][0]").normalized(), "$['a']['b'][0]");
  EXPECT_EQ(P("$").normalized(), "$");
  EXPECT_EQ(P("$..a[*]").normalized(), "$..['a'][*]");
}

TEST(PathSelect, DefinitePaths) {
  Json doc = J(R"({"a":{"b":[1,2,{"c":"x"}]},"my-key":1,"ünï":2,"n":null})");
  EXPECT_EQ(sel("$", doc), toJsonText(doc));
  EXPECT_EQ(sel("$.a.b[2].c", doc), R"("x")");
  EXPECT_EQ(sel("$['a'][\"b\"][0]", doc), "1");
  EXPECT_EQ(sel("$.a.b[-1].c", doc), R"("x")");
  EXPECT_EQ(sel("$.my-key", doc), "1");
  EXPECT_EQ(sel("$.ünï", doc), "2");
  EXPECT_EQ(sel("$.n", doc), "null");
  EXPECT_EQ(sel("$.missing", doc), "<none>");
  EXPECT_EQ(sel("$.a.b[3]", doc), "<none>");
  EXPECT_EQ(sel("$.a.b[-4]", doc), "<none>");
  EXPECT_EQ(sel("$.a.b.c", doc), "<none>");
  EXPECT_EQ(sel("$.my-key.x", doc), "<none>");
}

TEST(PathSelect, ConformanceArrayAccess) {
  // base.base/test_json_path_array_access: $.items[0] and $.items[10].
  Json doc = J(R"({"items":[{"item_key":0},{"item_key":1},{"item_key":2},{"item_key":3},
    {"item_key":4},{"item_key":5},{"item_key":6},{"item_key":7},{"item_key":8},{"item_key":9},
    {"item_key":10}]})");
  EXPECT_EQ(sel("$.items[0]", doc), R"({"item_key":0})");
  EXPECT_EQ(sel("$.items[10]", doc), R"({"item_key":10})");
}

TEST(PathSelect, IndefiniteOnMissingInputIsEmpty) {
  // base.base/test_json_path_array_wildcard_or_slice_with_no_input.
  Json empty = J("{}");
  for (auto p : {"$.item.items[1:5]", "$.item.items[1:]", "$.item.items[:1]", "$.item.items[*]",
                 "$.items[1:].itemValue", "$.items[*].itemValue", "$.items[:1]", "$[*]"}) {
    EXPECT_EQ(sel(p, empty), "[]") << p;
  }
}

TEST(PathSelect, WildcardsSlicesUnions) {
  Json doc = J(R"({"a":[1,2,3,4,5],"o":{"x":1,"y":2}})");
  EXPECT_EQ(sel("$.a[*]", doc), "[1,2,3,4,5]");
  EXPECT_EQ(sel("$.o.*", doc), "[1,2]");
  EXPECT_EQ(sel("$.o[*]", doc), "[1,2]");
  EXPECT_EQ(sel("$.a[1:3]", doc), "[2,3]");
  EXPECT_EQ(sel("$.a[:2]", doc), "[1,2]");
  EXPECT_EQ(sel("$.a[3:]", doc), "[4,5]");
  EXPECT_EQ(sel("$.a[-2:]", doc), "[4,5]");
  EXPECT_EQ(sel("$.a[:-3]", doc), "[1,2]");
  EXPECT_EQ(sel("$.a[2:100]", doc), "[3,4,5]");
  EXPECT_EQ(sel("$.a[0,4,9]", doc), "[1,5]");
  EXPECT_EQ(sel("$.a[-1,0]", doc), "[5,1]");
  // Several names at the leaf merge into one object, as Jayway does.
  EXPECT_EQ(sel("$.o['y','x','z']", doc), R"({"y":2,"x":1})");
}

TEST(PathSelect, RecursiveDescent) {
  EXPECT_EQ(sel("$..author", kStore),
            R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])");
  EXPECT_EQ(sel("$.store..price", kStore), "[8.95,12.99,8.99,22.99,19.95]");
  EXPECT_EQ(sel("$..book[2].title", kStore), R"(["Moby Dick"])");
  EXPECT_EQ(sel("$..book[-1:].title", kStore), R"(["LOTR"])");
  Json nested = J(R"({"a":{"b":1,"c":{"b":2}},"b":0})");
  EXPECT_EQ(sel("$..b", nested), "[0,1,2]");
  EXPECT_EQ(sel("$.a..*", nested), R"([1,{"b":2},2])");
}

TEST(PathSelect, Filters) {
  EXPECT_EQ(sel("$.store.book[?(@.price < 10)].title", kStore), R"(["Sayings","Moby Dick"])");
  EXPECT_EQ(sel("$.store.book[?(@.isbn)].title", kStore), R"(["Moby Dick","LOTR"])");
  EXPECT_EQ(sel("$.store.book[?(!@.isbn)].title", kStore), R"(["Sayings","Sword"])");
  EXPECT_EQ(sel("$.store.book[?(@.category == 'fiction' && @.price > 12)].title", kStore),
            R"(["Sword","LOTR"])");
  EXPECT_EQ(sel("$.store.book[?(@.price <= 8.95 || @.price >= 22.99)].title", kStore),
            R"(["Sayings","LOTR"])");
  EXPECT_EQ(sel("$.store.book[?(@.category != \"fiction\")].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(sel("$.store.book[?(@.price > $.expensive)].title", kStore), R"(["Sword","LOTR"])");
  EXPECT_EQ(sel("$.store.book[?(@.author =~ /.*Melville/)].title", kStore), R"(["Moby Dick"])");
  EXPECT_EQ(sel("$.store.book[?(@.author =~ /.*melville/i)].title", kStore), R"(["Moby Dick"])");
  EXPECT_EQ(sel("$.store.book[?(@.title in ['LOTR','Sword'])].price", kStore), "[12.99,22.99]");
  EXPECT_EQ(sel("$.store.book[?(@.title nin ['LOTR','Sword'])].price", kStore), "[8.95,8.99]");
  EXPECT_EQ(sel("$..book[?(@.missing == 1)]", kStore), "[]");
  EXPECT_EQ(sel("$.store.book[?((@.price < 9) && !(@.isbn))].title", kStore), R"(["Sayings"])");
  // base.base/test_state_pass_regex_json_path_base.
  Json users = J(R"({"users":[{"year":1997,"status":0},{"year":1998,"status":1}]})");
  EXPECT_EQ(sel("$.users[?(@.status == 0)]", users), R"([{"year":1997,"status":0}])");
  Json scalars = J(R"({"v":[1,5,"a",7]})");
  EXPECT_EQ(sel("$.v[?(@ > 2)]", scalars), "[5,7]");
}

TEST(PathSelect, QuotedNamesKeepBackslashes) {
  // scenarios.base_scenarios ESCAPE_SEQUENCES_JSONPATH: the key is the text
  // between the quotes as written.
  Json doc;
  doc.emplace_object()["Test\\\"\"Name\""] = "Value\"\\";
  EXPECT_EQ(sel("$['Test\\\"\"Name\"']", doc), R"("Value\"\\")");
  Json dots = J(R"({"a.b":{"c d":1}})");
  EXPECT_EQ(sel("$['a.b']['c d']", dots), "1");
}

TEST(PathSelect, RootsFromEnvironment) {
  Json input = J(R"({"x":1})");
  Json context = J(R"({"Execution":{"Id":"arn"}})");
  VarScope parent;
  parent.set("v", J(R"({"list":[10,20]})"));
  VarScope scope(&parent);
  EvalEnv env{&input, &context, &scope, nullptr};
  EXPECT_EQ(toJsonText(*P("$.x").select(env)), "1");
  EXPECT_EQ(toJsonText(*P("$$.Execution.Id").select(env)), R"("arn")");
  EXPECT_EQ(toJsonText(*P("$v.list[1]").select(env)), "20");
  EXPECT_FALSE(P("$nope").select(env).has_value());
  EXPECT_EQ(toJsonText(*P("$nope[*]").select(env)), "[]");
  ASSERT_NE(P("$v.list").find(env), nullptr);
  EXPECT_EQ(P("$v.list").find(env), &scope.lookup("v")->at("list"));
}

TEST(PathAssign, ResultPathSemantics) {
  Json doc = J(R"({"a":{"b":1},"s":"str","arr":[1,{"k":1}]})");
  EXPECT_TRUE(P("$.a.c").assign(doc, 2));
  EXPECT_TRUE(P("$.new.deep.key").assign(doc, J("[1]")));
  EXPECT_TRUE(P("$.a.b").assign(doc, "replaced"));
  EXPECT_TRUE(P("$.arr[1].k").assign(doc, 5));
  EXPECT_TRUE(P("$.arr[0]").assign(doc, 0));
  EXPECT_EQ(
      toJsonText(doc),
      R"({"a":{"b":"replaced","c":2},"s":"str","arr":[0,{"k":5}],"new":{"deep":{"key":[1]}}})");
  EXPECT_FALSE(P("$.s.x").assign(doc, 1));
  EXPECT_FALSE(P("$.arr[5]").assign(doc, 1));
  EXPECT_FALSE(P("$.missing[0]").assign(doc, 1));
  EXPECT_FALSE(P("$.arr.x").assign(doc, 1));
  Json scalar = 5;
  EXPECT_FALSE(P("$.x").assign(scalar, 1));
  EXPECT_TRUE(P("$").assign(scalar, J(R"({"all":true})")));
  EXPECT_EQ(toJsonText(scalar), R"({"all":true})");
}

}  // namespace
}  // namespace sluice::asl
