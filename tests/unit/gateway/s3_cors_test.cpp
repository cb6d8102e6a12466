// S3 CORS rule matching (gateway/s3_cors.hpp) on rules as GetBucketCors
// gives them.
#include "gateway/s3_cors.hpp"

#include <gtest/gtest.h>

#include "core/text.hpp"
namespace sluice::gateway {
namespace {

Json rules() {
  return *parseJson(R"([
    {"AllowedOrigins": ["https://app.example.com", "https://*.example.org"],
     "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["content-type", "x-amz-*"],
     "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 600},
    {"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}
  ])");
}

std::string header(const HeaderList& h, const std::string& name) {
  for (const auto& [k, v] : h) {
    if (k == name) return v;
  }
  return "<absent>";
}

TEST(S3Cors, ANamedOriginGetsItsRuleWithCredentials) {
  auto h =
      corsHeaders(rules(), "https://app.example.com", "PUT", {"Content-Type", "X-Amz-Date"}, true);
  ASSERT_TRUE(h);
  EXPECT_EQ(header(*h, "Access-Control-Allow-Origin"), "https://app.example.com");
  EXPECT_EQ(header(*h, "Access-Control-Allow-Methods"), "GET, PUT");
  EXPECT_EQ(header(*h, "Access-Control-Allow-Headers"), "content-type, x-amz-date");
  EXPECT_EQ(header(*h, "Access-Control-Expose-Headers"), "ETag");
  EXPECT_EQ(header(*h, "Access-Control-Max-Age"), "600");
  EXPECT_EQ(header(*h, "Access-Control-Allow-Credentials"), "true");
}

TEST(S3Cors, WildcardsInOriginsAndHeaders) {
  EXPECT_TRUE(corsHeaders(rules(), "https://cdn.example.org", "GET", {}, true));
  EXPECT_TRUE(corsHeaders(rules(), "https://app.example.com", "PUT", {"x-amz-acl"}, true));
  // A header no rule allows.
  EXPECT_FALSE(corsHeaders(rules(), "https://app.example.com", "PUT", {"authorization"}, true));
}

TEST(S3Cors, AnyOriginFallsToTheOpenRule) {
  auto h = corsHeaders(rules(), "https://elsewhere.net", "GET", {}, false);
  ASSERT_TRUE(h);
  EXPECT_EQ(header(*h, "Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(header(*h, "Access-Control-Allow-Methods"), "GET");
  EXPECT_EQ(header(*h, "Access-Control-Allow-Credentials"), "<absent>");
  // Not a method it allows, nor a header (the open rule allows none).
  EXPECT_FALSE(corsHeaders(rules(), "https://elsewhere.net", "PUT", {}, true));
  EXPECT_FALSE(corsHeaders(rules(), "https://elsewhere.net", "GET", {"x-custom"}, true));
}

TEST(S3Cors, HeaderListsSplitOnCommas) {
  EXPECT_EQ(splitList(" content-type ,x-amz-date,,"),
            (std::vector<std::string>{"content-type", "x-amz-date"}));
  EXPECT_TRUE(splitList("").empty());
}

}  // namespace
}  // namespace sluice::gateway
