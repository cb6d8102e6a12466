// S3 browser-upload forms: multipart parsing and the policy's conditions
// (the signature is checked end to end against boto3 in the API tests).
#include "gateway/s3_post_form.hpp"

#include <gtest/gtest.h>

#include "core/encoding.hpp"

namespace sluice::gateway {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=XyZ";

std::string form(std::initializer_list<std::pair<std::string, std::string>> fields,
                 std::string file = "payload", bool withFile = true) {
  std::string out;
  for (const auto& [name, value] : fields) {
    out +=
        "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }
  if (withFile) {
    out +=
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n" +
        file + "\r\n";
    out += "--XyZ\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n";
  }
  return out + "--XyZ--\r\n";
}

std::string policy(const std::string& conditions,
                   const std::string& expiration = "2030-01-01T00:00:00Z") {
  return base64Encode(R"({"expiration": ")" + expiration + R"(", "conditions": )" + conditions +
                      "}");
}

TimePoint now() {
  return *parseIso8601("2026-11-24T00:00:00Z");
}

TEST(S3PostForm, ParsesFieldsAndTheFileAndIgnoresWhatFollowsIt) {
  auto f = parseS3PostForm(
      kType, form({{"key", "in/${filename}"}, {"X-Amz-Meta-A", "1"}}, "line1\r\nline2"));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(*f->field("KEY"), "in/${filename}");
  EXPECT_EQ(*f->field("x-amz-meta-a"), "1");
  EXPECT_EQ(f->field("after"), nullptr);
  EXPECT_EQ(f->fileName, "a.csv");
  EXPECT_EQ(f->fileContentType, "text/csv");
  EXPECT_EQ(f->file, "line1\r\nline2");
}

TEST(S3PostForm, RefusesFormsWithoutKeyFileOrBoundary) {
  EXPECT_EQ(parseS3PostForm(kType, form({{"acl", "private"}})).error().code, "InvalidArgument");
  EXPECT_EQ(parseS3PostForm(kType, form({{"key", "k"}}, "", false)).error().code,
            "InvalidArgument");
  EXPECT_EQ(parseS3PostForm("multipart/form-data", form({{"key", "k"}})).error().code,
            "MalformedPOSTRequest");
  EXPECT_EQ(parseS3PostForm(kType, "--XyZ\r\nno end").error().code, "MalformedPOSTRequest");
}

TEST(S3PostForm, ConditionsDecide) {
  CredentialStore anyone;  // no keys: signatures are not checked, the policy still is
  struct Case {
    std::string conditions;
    std::string key;
    std::string expected;  // error code, or "" for allowed
  };
  for (const Case& c : std::vector<Case>{
           {R"([{"bucket": "b"}, ["starts-with", "$key", "in/"]])", "in/x", ""},
           {R"([{"bucket": "other"}, ["starts-with", "$key", ""]])", "in/x", "AccessDenied"},
           {R"([["eq", "$key", "in/y"]])", "in/x", "AccessDenied"},
           {R"([["starts-with", "$key", ""], ["content-length-range", 0, 3]])", "k",
            "EntityTooLarge"},
           {R"([["starts-with", "$key", ""], ["content-length-range", 100, 200]])", "k",
            "EntityTooSmall"},
           {R"([])", "k", "AccessDenied"},  // key is an extra input field
           {R"([["unknown-op", "$key", "x"]])", "k", "InvalidPolicyDocument"},
       }) {
    auto f = parseS3PostForm(kType, form({{"key", c.key}, {"policy", policy(c.conditions)}}));
    ASSERT_TRUE(f);
    auto r = authorizeS3Post(*f, "b", anyone, now());
    EXPECT_EQ(r ? "" : r.error().code, c.expected) << c.conditions;
  }
}

TEST(S3PostForm, AnExpiredOrUnreadablePolicyIsRefused) {
  CredentialStore anyone;
  auto expired = parseS3PostForm(
      kType,
      form({{"key", "k"},
            {"policy", policy(R"([["starts-with", "$key", ""]])", "2026-11-23T00:00:00Z")}}));
  auto r = authorizeS3Post(*expired, "b", anyone, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "Invalid according to Policy: Policy expired.");
  auto garbled = parseS3PostForm(kType, form({{"key", "k"}, {"policy", "not base64 json"}}));
  EXPECT_EQ(authorizeS3Post(*garbled, "b", anyone, now()).error().code, "InvalidPolicyDocument");
}

TEST(S3PostForm, WithKeysAPolicyMustBeSigned) {
  CredentialStore keys{{"AKID", "secret"}};
  auto unsigned_ = parseS3PostForm(kType, form({{"key", "k"}}));
  EXPECT_EQ(authorizeS3Post(*unsigned_, "b", keys, now()).error().code, "AccessDenied");
  auto unknown = parseS3PostForm(kType, form({{"key", "k"},
                                              {"policy", policy("[]")},
                                              {"AWSAccessKeyId", "NOPE"},
                                              {"signature", "x"}}));
  EXPECT_EQ(authorizeS3Post(*unknown, "b", keys, now()).error().code, "InvalidAccessKeyId");
  auto wrong = parseS3PostForm(kType, form({{"key", "k"},
                                            {"policy", policy("[]")},
                                            {"AWSAccessKeyId", "AKID"},
                                            {"signature", "bm90IGl0"}}));
  EXPECT_EQ(authorizeS3Post(*wrong, "b", keys, now()).error().code, "SignatureDoesNotMatch");
}

}  // namespace
}  // namespace sluice::gateway
