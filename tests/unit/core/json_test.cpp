#include "core/json.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(JsonText, PrintsDoublesTheWayStepFunctionsDoes) {
  EXPECT_EQ(toJsonText(Json(1.0)), "1.0");
  EXPECT_EQ(toJsonText(Json(1.5)), "1.5");
  EXPECT_EQ(toJsonText(Json(1e20)), "1.0E20");
  EXPECT_EQ(toJsonText(Json(-3)), "-3");
}

TEST(JsonText, CompactWithEscapes) {
  auto v = parseJson(R"({"a": [1, "x\"y", null, true], "b": {"c": "\n"}})");
  ASSERT_TRUE(v);
  EXPECT_EQ(toJsonText(*v), R"({"a":[1,"x\"y",null,true],"b":{"c":"\n"}})");
}

TEST(JsonParse, RejectsBadInput) {
  std::string err;
  EXPECT_FALSE(parseJson("{\"a\":", &err));
  EXPECT_FALSE(err.empty());
}

TEST(JsonEquals, NumbersCompareByValue) {
  EXPECT_TRUE(jsonEquals(Json(1), Json(1.0)));
  EXPECT_FALSE(jsonEquals(Json(1), Json(1.5)));
  EXPECT_TRUE(jsonEquals(*parseJson(R"({"a":1,"b":[2]})"), *parseJson(R"({"b":[2.0],"a":1})")));
}

}  // namespace
}  // namespace sluice
