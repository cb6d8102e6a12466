#include "core/json.hpp"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

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

namespace sluice {
namespace {

// The shortest round-trip form from the standard library, in Java's style
// ("1.0", "1.0E20"): what toJsonText must print for every finite double.
std::string javaStyleReference(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  auto e = s.find('e');
  std::string mantissa = s.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  if (e == std::string::npos) return mantissa;
  std::string exp = s.substr(e + 1);
  if (exp[0] == '+') exp.erase(0, 1);
  return mantissa + "E" + exp;
}

TEST(JsonText, DoublesMatchTheShortestRoundTripForm) {
  std::mt19937_64 rng(42);
  std::vector<double> values = {
      0.01, 0.1,   0.5,         9.5,       9999.0, 10000.0, 12345.0,
      1e5,  1e9,   999999999.5, 0.005,     0.015,  1.0 / 3, 2.0 / 3,
      -9.5, -0.01, 123.456,     0.1 + 0.2, 1e-7,   5e-324,  1.7976931348623157e308};
  std::uniform_int_distribution<int64_t> mantissa(-2'000'000'000, 2'000'000'000);
  std::uniform_int_distribution<int> digits(0, 9);
  for (int i = 0; i < 200'000; ++i) {
    double p = 1;
    for (int k = digits(rng); k > 0; --k) p *= 10;
    values.push_back(static_cast<double>(mantissa(rng)) / p);
  }
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 200'000; ++i) {
    uint64_t b = bits(rng);
    double d;
    std::memcpy(&d, &b, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
  }
  for (double d : values) {
    ASSERT_EQ(toJsonText(Json(d)), javaStyleReference(d)) << std::hexfloat << d;
  }
}

}  // namespace
}  // namespace sluice

namespace sluice {
namespace {

// Splicing one member into an object's text gives what serialising the
// changed object gives, for replaced and new members, at any position.
TEST(JsonText, WithMemberTextMatchesSerialisingTheChangedObject) {
  const char* docs[] = {R"({})", R"({"a":1})", R"({"a":{"x":[1,2]},"b":"s","c":null})",
                        R"({"q\"uote":1,"last":{"old":true},"z":2.5})"};
  const char* keys[] = {"a", "b", "last", "new", "q\"uote", "z"};
  const char* values[] = {R"(7)", R"({"n":[1,{"m":"x"}]})", R"("text")", R"([])"};
  for (const char* d : docs) {
    for (const char* k : keys) {
      for (const char* v : values) {
        Json doc = *parseJson(d);
        std::vector<MemberSpan> members;
        std::string text = toJsonText(doc, 0, members);
        Json value = *parseJson(v);
        text = withMemberText(text, members, k, value);
        doc.as_object()[k] = value;
        EXPECT_EQ(text, toJsonText(doc)) << d << " " << k << " " << v;
        // The spans still point at every member: a second splice is right too.
        text = withMemberText(text, members, "a", Json(0));
        doc.as_object()["a"] = 0;
        EXPECT_EQ(text, toJsonText(doc)) << d << " " << k << " " << v;
      }
    }
  }
}

}  // namespace
}  // namespace sluice
