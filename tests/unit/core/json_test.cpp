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

namespace sluice {
namespace {

TEST(JsonText, EscapesEveryControlCharacterQuoteAndBackslashAtAnyOffset) {
  // Long strings take the eight-bytes-at-a-time path; put the special byte at
  // every position relative to the 8-byte words.
  for (char special : {'"', '\\', '\n', '\x01', '\x1f'}) {
    for (size_t pos = 0; pos < 20; ++pos) {
      std::string s(20, 'a');
      s[pos] = special;
      std::string text = toJsonText(Json(s));
      auto back = parseJson(text);
      ASSERT_TRUE(back) << text;
      EXPECT_EQ(back->as_string(), s) << text;
      EXPECT_EQ(text.find('\n'), std::string::npos);
    }
  }
  EXPECT_EQ(toJsonText(Json("caf\xc3\xa9 \x7f")), "\"caf\xc3\xa9 \x7f\"");
}

}  // namespace
}  // namespace sluice
