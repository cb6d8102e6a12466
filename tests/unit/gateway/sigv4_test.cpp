// SigV4 verification against published vectors: AWS's SigV4 test suite
// (AKIDEXAMPLE, 20150830T123600Z, us-east-1, "service"), the S3 API
// reference's worked examples (AKIAIOSFODNN7EXAMPLE, 20130524T000000Z), and
// requests signed by botocore itself (sigv4_botocore_fixtures.json, made by
// make_fixtures.py). Expected values are the published ones, never outputs of
// this code.
#include "gateway/sigv4.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "core/json.hpp"
#include "gateway/aws_chunked.hpp"

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kSuiteKey = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kS3Key = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kS3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TimePoint at(std::string_view amzDate) {
  return *parseAmzDate(amzDate);
}
const TimePoint kSuiteTime = at("20150830T123600Z");
const TimePoint kS3Time = at("20130524T000000Z");

CredentialStore suiteStore() {
  return CredentialStore{{std::string(kSuiteKey), std::string(kSuiteSecret)}};
}
CredentialStore s3Store() {
  return CredentialStore{{std::string(kS3Key), std::string(kS3Secret)}};
}

// A request as the test suite writes it: "METHOD target HTTP/1.1", then
// "Name:value" lines, a blank line and the body.
struct RawRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;

  HttpRequestView view() const { return {method, target, headers, std::string_view(body)}; }
};

RawRequest parseRaw(std::string_view text) {
  RawRequest r;
  auto lineEnd = text.find('\n');
  std::string_view first = text.substr(0, lineEnd);
  auto sp1 = first.find(' ');
  auto sp2 = first.rfind(' ');
  r.method = std::string(first.substr(0, sp1));
  r.target = std::string(first.substr(sp1 + 1, sp2 - sp1 - 1));
  text.remove_prefix(lineEnd == std::string_view::npos ? text.size() : lineEnd + 1);
  while (!text.empty()) {
    lineEnd = text.find('\n');
    std::string_view line = text.substr(0, lineEnd);
    text.remove_prefix(lineEnd == std::string_view::npos ? text.size() : lineEnd + 1);
    if (line.empty()) {
      r.body = std::string(text);
      break;
    }
    auto colon = line.find(':');
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return r;
}

// Drops the Authorization header and signs what is left with the same
// SignedHeaders, so the canonical request can be compared with the suite's.
std::string canonicalOf(const RawRequest& r, std::string_view signedHeaders,
                        std::string_view payloadHash, bool s3 = false) {
  return canonicalRequest(r.view(), signedHeaders, payloadHash, s3, false);
}

void expectError(const Result<SigV4Verified>& r, std::string_view code, int status,
                 std::string_view message = {}) {
  ASSERT_FALSE(r.ok()) << "expected " << code;
  EXPECT_EQ(r.error().code, code) << r.error().message;
  EXPECT_EQ(r.error().httpStatus, status);
  if (!message.empty()) {
    EXPECT_EQ(r.error().message, message);
  }
}

// --- AWS SigV4 test suite -------------------------------------------------------

TEST(SigV4Suite, GetVanillaCanonicalRequestStringToSignAndSignature) {
  auto r = parseRaw(
      "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n");
  std::string creq = canonicalOf(r, "host;x-amz-date", kEmptySha);
  EXPECT_EQ(creq,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->scope.accessKeyId, "AKIDEXAMPLE");
  EXPECT_EQ(v->scope.date, "20150830");
  EXPECT_EQ(v->scope.region, "us-east-1");
  EXPECT_EQ(v->scope.service, "service");
  EXPECT_FALSE(v->scope.presigned);
}

TEST(SigV4Suite, PostXWwwFormUrlencoded) {
  auto r = parseRaw(
      "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
      "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
      "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a\n\n"
      "Param1=value1");
  std::string creq = canonicalOf(r, "content-type;host;x-amz-date", sha256Hex(r.body));
  EXPECT_EQ(
      creq,
      "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
      "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
      "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  EXPECT_TRUE(v.ok()) << v.error().message;
}

TEST(SigV4Suite, GetVanillaQueryOrderKeyCase) {
  auto r = parseRaw(
      "GET /?Param2=value2&Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\n"
      "X-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\n\n");
  std::string creq = canonicalOf(r, "host;x-amz-date", kEmptySha);
  EXPECT_EQ(creq,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  EXPECT_TRUE(v.ok()) << v.error().message;
}

TEST(SigV4Suite, PostHeaderKeySort) {
  auto r = parseRaw(
      "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value1\n"
      "X-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;my-header1;x-amz-date, "
      "Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c\n\n");
  std::string creq = canonicalOf(r, "host;my-header1;x-amz-date", kEmptySha);
  EXPECT_EQ(
      creq,
      "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nx-amz-date:20150830T123600Z\n"
      "\nhost;my-header1;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(stringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "9368318c2967cf6de74404b30c65a91e8f6253e0a8659d6d5319f1a812f87d65");
  EXPECT_TRUE(verify(r.view(), suiteStore(), kSuiteTime).ok());
}

TEST(SigV4Suite, GetSpaceNormalizedEncodesTheRawPath) {
  EXPECT_EQ(canonicalUri("/example space/", false), "/example%20space/");
  auto r = parseRaw(
      "GET /example space/ HTTP/1.1\nHost:example.amazonaws.com\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741\n"
      "X-Amz-Date:20150830T123600Z\n\n");
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  EXPECT_TRUE(v.ok()) << v.error().message;
}

// Every other published request of the suite, verified as sent: the request
// (without Authorization), its SignedHeaders and its signature.
struct SuiteCase {
  const char* name;
  const char* request;
  const char* signedHeaders;
  const char* signature;
};

// Adds the suite's Authorization header to a request.
RawRequest withSuiteAuth(std::string_view request, std::string_view signedHeaders,
                         std::string_view signature) {
  RawRequest r = parseRaw(request);
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                         "aws4_request, SignedHeaders=" +
                             std::string(signedHeaders) + ", Signature=" + std::string(signature));
  return r;
}

class SigV4SuiteRequests : public testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4SuiteRequests, Verifies) {
  const SuiteCase& c = GetParam();
  RawRequest r = withSuiteAuth(c.request, c.signedHeaders, c.signature);
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  EXPECT_TRUE(v.ok()) << c.name << ": " << v.error().code << " " << v.error().message;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Published, SigV4SuiteRequests,
    testing::Values(
        SuiteCase{"get-header-key-duplicate",
                  "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:value2\nMy-Header1:value2\n"
                  "My-Header1:value1\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;my-header1;x-amz-date",
                  "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
        SuiteCase{"get-header-value-trim",
                  "GET / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1: value1\n"
                  "My-Header2: \"a   b   c\"\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;my-header1;my-header2;x-amz-date",
                  "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
        SuiteCase{"get-utf8",
                  "GET /\xE1\x88\xB4 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
        SuiteCase{"get-slashes-normalized",
                  "GET //example// HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
        SuiteCase{"get-relative-relative-normalized",
                  "GET /example1/example2/../.. HTTP/1.1\nHost:example.amazonaws.com\n"
                  "X-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
        SuiteCase{"get-vanilla-query-unreserved",
                  "GET /?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
                  "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz HTTP/1.1\n"
                  "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
        SuiteCase{"get-vanilla-utf8-query",
                  "GET /?\xE1\x88\xB4=bar HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
        SuiteCase{"get-vanilla-with-session-token",
                  "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
                  "X-Amz-Security-Token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\n",
                  "host;x-amz-date;x-amz-security-token",
                  "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"},
        SuiteCase{"post-header-value-case",
                  "POST / HTTP/1.1\nHost:example.amazonaws.com\nMy-Header1:VALUE1\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;my-header1;x-amz-date",
                  "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
        SuiteCase{"post-vanilla-query",
                  "POST /?Param1=value1 HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n",
                  "host;x-amz-date",
                  "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
        SuiteCase{"post-x-www-form-urlencoded (signed x-amz-content-sha256)",
                  "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\nHost:example.amazonaws.com\n"
                  "Content-Length:13\n"
                  "x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
                  "X-Amz-Date:20150830T123600Z\n\nParam1=value1",
                  "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
                  "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"}),
    [](const testing::TestParamInfo<SuiteCase>& info) {
      std::string name;
      for (const char* p = info.param.name; *p && *p != ' '; ++p) {
        name.push_back(std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
      }
      return name;
    });
// clang-format on

TEST(SigV4Suite, PresignedGetVanillaQueryOrderKeyCase) {
  // The suite's query-signed form: X-Amz-Signature excluded, parameters sorted.
  auto r = parseRaw(
      "GET /?Param2=value2&Param1=value1&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
      "X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&"
      "X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&"
      "X-Amz-Signature=86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5 HTTP/1.1\n"
      "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n\n");
  auto v = verify(r.view(), suiteStore(), kSuiteTime);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->scope.presigned);
}

// --- S3 API reference examples ---------------------------------------------------

TEST(SigV4S3Docs, GetObjectWithRange) {
  auto r = parseRaw(
      "GET /test.txt HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\nRange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n\n");
  std::string creq = canonicalOf(r, "host;range;x-amz-content-sha256;x-amz-date", kEmptySha, true);
  EXPECT_EQ(
      creq,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(stringToSign("20130524T000000Z", "20130524/us-east-1/s3/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  auto v = verify(r.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->scope.service, "s3");
}

TEST(SigV4S3Docs, PutObjectWithKeySentUnencoded) {
  // The documented request line is "PUT test$file.text": S3 signs the key
  // URI-encoded ("/test%24file.text") whatever the wire form.
  for (std::string_view path : {"/test$file.text", "/test%24file.text"}) {
    auto r = parseRaw(
        "PUT " + std::string(path) +
        " HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\nDate:Fri, 24 May 2013 00:00:00 GMT\n"
        "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n"
        "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
        "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
        "aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
        "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\n\n"
        "Welcome to Amazon S3.");
    SigV4Diagnostics diag;
    auto v =
        verify(r.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3, .diagnostics = &diag});
    ASSERT_TRUE(v.ok()) << path << ": " << v.error().message << "\n" << diag.canonicalRequest;
    EXPECT_EQ(diag.stringToSign,
              "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
              "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  }
}

TEST(SigV4S3Docs, GetBucketLifecycleAndListObjects) {
  const char* head =
      " HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=";
  auto lifecycle = parseRaw(std::string("GET /?lifecycle") + head +
                            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543\n\n");
  EXPECT_TRUE(verify(lifecycle.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}).ok());
  auto list = parseRaw(std::string("GET /?max-keys=2&prefix=J") + head +
                       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7\n\n");
  EXPECT_TRUE(verify(list.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}).ok());
}

RawRequest s3PresignedExample() {
  return parseRaw(
      "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F"
      "20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
      "X-Amz-SignedHeaders=host&"
      "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\n"
      "Host:examplebucket.s3.amazonaws.com\n\n");
}

TEST(SigV4S3Docs, PresignedUrl) {
  auto r = s3PresignedExample();
  SigV4Diagnostics diag;
  auto v = verify(r.view(), s3Store(), kS3Time + 1h,
                  {.style = AuthErrorStyle::S3, .diagnostics = &diag});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_TRUE(v->scope.presigned);
  EXPECT_EQ(v->payloadHash, "UNSIGNED-PAYLOAD");
  EXPECT_EQ(
      diag.canonicalRequest,
      "GET\n/test.txt\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%"
      "2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires="
      "86400&X-Amz-SignedHeaders=host\nhost:examplebucket.s3.amazonaws.com\n\nhost\n"
      "UNSIGNED-PAYLOAD");
}

TEST(SigV4S3Docs, PresignedUrlExpires) {
  auto r = s3PresignedExample();
  EXPECT_TRUE(verify(r.view(), s3Store(), kS3Time + 86400s, {.style = AuthErrorStyle::S3}).ok());
  expectError(verify(r.view(), s3Store(), kS3Time + 86401s, {.style = AuthErrorStyle::S3}),
              "AccessDenied", 403, "Request has expired");
  expectError(verify(r.view(), s3Store(), kS3Time - 16min, {.style = AuthErrorStyle::S3}),
              "AccessDenied", 403, "Request is not valid yet");
}

RawRequest chunkedSeed(bool trailer) {
  std::string auth =
      trailer
          ? "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-"
            "content-length;x-amz-storage-class;x-amz-trailer,"
            "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
          : "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
            "x-amz-decoded-content-length;x-amz-storage-class,"
            "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  return parseRaw(
      std::string("PUT /examplebucket/chunkObject.txt HTTP/1.1\nHost:s3.amazonaws.com\n"
                  "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n"
                  "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                  "us-east-1/s3/aws4_request,") +
      auth + "\nx-amz-content-sha256:" +
      (trailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
               : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") +
      "\nContent-Encoding:aws-chunked\nx-amz-decoded-content-length:66560\n" +
      (trailer ? "x-amz-trailer:x-amz-checksum-crc32c\nContent-Length:66946\n"
               : "Content-Length:66824\n") +
      "\n");
}

TEST(SigV4S3Docs, ChunkedUploadSeedAndChunkSignatures) {
  auto r = chunkedSeed(false);
  HttpRequestView view = r.view();
  view.body.reset();  // streaming: the body is not buffered
  auto v = verify(view, s3Store(), kS3Time, {.style = AuthErrorStyle::S3});
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_EQ(v->payloadHash, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  EXPECT_EQ(v->signing.scope, "20130524/us-east-1/s3/aws4_request");
  std::string c1 = chunkSignature(v->signing, v->signature, std::string(65536, 'a'));
  EXPECT_EQ(c1, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
  std::string c2 = chunkSignature(v->signing, c1, std::string(1024, 'a'));
  EXPECT_EQ(c2, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
  std::string c3 = chunkSignatureFromHash(v->signing, c2, sha256Hex(""));
  EXPECT_EQ(c3, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
  EXPECT_TRUE(
      signaturesEqual(c3, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"));
  // A changed byte changes the chunk signature.
  std::string tampered(1024, 'a');
  tampered[10] = 'b';
  EXPECT_NE(chunkSignature(v->signing, c1, tampered), c2);
}

TEST(SigV4S3Docs, ChunkedUploadWithTrailer) {
  auto r = chunkedSeed(true);
  HttpRequestView view = r.view();
  view.body.reset();
  auto v = verify(view, s3Store(), kS3Time, {.style = AuthErrorStyle::S3});
  ASSERT_TRUE(v.ok()) << v.error().message;
  std::string c1 = chunkSignature(v->signing, v->signature, std::string(65536, 'a'));
  EXPECT_EQ(c1, "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2");
  std::string c2 = chunkSignature(v->signing, c1, std::string(1024, 'a'));
  EXPECT_EQ(c2, "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7");
  std::string c3 = chunkSignature(v->signing, c2, "");
  EXPECT_EQ(c3, "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992");
  EXPECT_EQ(trailerSignature(v->signing, c3, "x-amz-checksum-crc32c:sOO8/Q==\n"),
            "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435");
}

// The same docs upload decoded as a streamed body is: fed to the decoder in
// pieces (the chunk hashes recorded), then verified once the seed is known.
TEST(SigV4S3Docs, ChunkedUploadWithTrailerVerifiedAfterStreaming) {
  auto r = chunkedSeed(true);
  HttpRequestView view = r.view();
  view.body.reset();
  auto v = verify(view, s3Store(), kS3Time, {.style = AuthErrorStyle::S3});
  ASSERT_TRUE(v.ok()) << v.error().message;
  auto body = [](std::string_view crc) {
    return "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
           "\r\n" +
           std::string(65536, 'a') +
           "\r\n400;chunk-signature="
           "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
           std::string(1024, 'a') +
           "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
           "\r\nx-amz-checksum-crc32c:" +
           std::string(crc) +
           "\r\nx-amz-trailer-signature:"
           "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n";
  };
  auto options = *awsChunkedVariant("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
  for (std::string_view crc : {"sOO8/Q==", "AAAAAA=="}) {
    std::string wire = body(crc);
    uint64_t decoded = 0;
    AwsChunkedDecoder decoder(options, /*hashChunks=*/true, [&](std::string_view d) {
      decoded += d.size();
      return Result<void>();
    });
    for (size_t i = 0; i < wire.size(); i += 1000) {
      ASSERT_TRUE(decoder.feed(std::string_view(wire).substr(i, 1000)).ok());
    }
    auto result = decoder.finish();
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(decoded, 66560u);
    ASSERT_EQ(result->trailers.size(), 1u);
    EXPECT_EQ(result->trailers[0].second, crc);
    // A trailer changed after signing fails the trailer signature.
    EXPECT_EQ(verifyAwsChunkedSignatures(*result, options, *v).ok(), crc == "sOO8/Q==") << crc;
  }
}

// --- negative cases ---------------------------------------------------------------

RawRequest suiteVanilla() {
  return parseRaw(
      "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, "
      "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\n\n");
}

constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS "
    "Secret Access Key and signing method. Consult the service documentation for details.";

TEST(SigV4Negative, WrongSecret) {
  CredentialStore wrong{{std::string(kSuiteKey), "not-the-secret"}};
  auto r = suiteVanilla();
  expectError(verify(r.view(), wrong, kSuiteTime), "InvalidSignatureException", 403, kMismatch);
  expectError(verify(r.view(), wrong, kSuiteTime, {.style = AuthErrorStyle::Query}),
              "SignatureDoesNotMatch", 403, kMismatch);
  auto get = parseRaw(
      "GET /test.txt HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\nRange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n\n");
  CredentialStore wrongS3{{std::string(kS3Key), "not-the-secret"}};
  SigV4Diagnostics diag;
  expectError(
      verify(get.view(), wrongS3, kS3Time, {.style = AuthErrorStyle::S3, .diagnostics = &diag}),
      "SignatureDoesNotMatch", 403,
      "The request signature we calculated does not match the signature you provided. Check your "
      "key and signing method.");
  EXPECT_EQ(diag.stringToSign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(diag.signatureProvided,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Negative, UnknownAccessKey) {
  auto r = suiteVanilla();
  CredentialStore other{{"AKIDOTHER", "x"}};
  constexpr std::string_view kInvalidToken =
      "The security token included in the request is invalid.";
  expectError(verify(r.view(), other, kSuiteTime), "UnrecognizedClientException", 403,
              kInvalidToken);
  expectError(verify(r.view(), other, kSuiteTime, {.style = AuthErrorStyle::Query}),
              "InvalidClientTokenId", 403, kInvalidToken);
  expectError(verify(r.view(), other, kSuiteTime, {.style = AuthErrorStyle::S3}),
              "InvalidAccessKeyId", 403,
              "The AWS Access Key Id you provided does not exist in our records.");
}

TEST(SigV4Negative, TamperedHeaderBodyQueryOrPath) {
  auto post = parseRaw(
      "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
      "Host:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=content-type;host;x-amz-date, "
      "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a\n\n"
      "Param1=value1");
  ASSERT_TRUE(verify(post.view(), suiteStore(), kSuiteTime).ok());

  auto body = post;
  body.body = "Param1=value2";
  expectError(verify(body.view(), suiteStore(), kSuiteTime), "InvalidSignatureException", 403);

  auto hdr = post;
  hdr.headers[0].second = "application/json";
  expectError(verify(hdr.view(), suiteStore(), kSuiteTime), "InvalidSignatureException", 403);

  auto query = post;
  query.target = "/?Param1=value1";
  expectError(verify(query.view(), suiteStore(), kSuiteTime), "InvalidSignatureException", 403);

  auto path = post;
  path.target = "/other";
  expectError(verify(path.view(), suiteStore(), kSuiteTime), "InvalidSignatureException", 403);

  // A body changed under an unchanged (signed) x-amz-content-sha256 header.
  auto signedHash = withSuiteAuth(
      "POST / HTTP/1.1\nContent-Type:application/x-www-form-urlencoded\n"
      "Host:example.amazonaws.com\nContent-Length:13\nx-amz-content-sha256:"
      "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\n"
      "X-Amz-Date:20150830T123600Z\n\nParam1=value1",
      "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
      "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b");
  ASSERT_TRUE(verify(signedHash.view(), suiteStore(), kSuiteTime).ok());
  signedHash.body = "Param1=value9";
  expectError(verify(signedHash.view(), suiteStore(), kSuiteTime), "InvalidSignatureException",
              403);
}

TEST(SigV4Negative, PresignedQueryTampered) {
  auto r = s3PresignedExample();
  r.target.replace(r.target.find("test.txt"), 8, "test.TXT");
  expectError(verify(r.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "SignatureDoesNotMatch", 403);
  auto extra = s3PresignedExample();
  extra.target.insert(extra.target.find('?') + 1, "versionId=1&");
  expectError(verify(extra.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "SignatureDoesNotMatch", 403);
}

TEST(SigV4Negative, ExpiresOverAWeek) {
  auto r = s3PresignedExample();
  r.target.replace(r.target.find("X-Amz-Expires=86400"), 19, "X-Amz-Expires=604801");
  expectError(verify(r.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "AuthorizationQueryParametersError", 400,
              "X-Amz-Expires must be less than a week (in seconds); that is, the given "
              "X-Amz-Expires must be less than 604800 seconds");
  auto missing = s3PresignedExample();
  missing.target.replace(missing.target.find("X-Amz-Expires=86400&"), 20, "");
  expectError(verify(missing.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "AuthorizationQueryParametersError", 400,
              "Query-string authentication version 4 requires the X-Amz-Algorithm, "
              "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
              "X-Amz-Expires parameters.");
}

TEST(SigV4Negative, SkewedClock) {
  auto r = suiteVanilla();
  EXPECT_TRUE(verify(r.view(), suiteStore(), kSuiteTime + 15min).ok());
  expectError(verify(r.view(), suiteStore(), kSuiteTime + 16min), "InvalidSignatureException", 403,
              "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
              "(20150830T125200Z - 15 min.)");
  expectError(verify(r.view(), suiteStore(), kSuiteTime - 16min), "InvalidSignatureException", 403,
              "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
              "(20150830T122000Z + 15 min.)");
  expectError(verify(r.view(), suiteStore(), kSuiteTime + 16min, {.maxSkew = 5min}),
              "InvalidSignatureException", 403,
              "Signature expired: 20150830T123600Z is now earlier than 20150830T124700Z "
              "(20150830T125200Z - 5 min.)");
  SigV4Diagnostics diag;
  expectError(verify(r.view(), suiteStore(), kSuiteTime + 16min,
                     {.style = AuthErrorStyle::S3, .diagnostics = &diag}),
              "RequestTimeTooSkewed", 403,
              "The difference between the request time and the current time is too large.");
  EXPECT_EQ(diag.maxAllowedSkewMilliseconds, 900000);
  EXPECT_EQ(diag.requestTime, "20150830T123600Z");
}

TEST(SigV4Negative, UnsignedHeaderInjected) {
  // S3 refuses any x-amz-* header the signature does not cover.
  auto get = parseRaw(
      "GET /test.txt HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\nRange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\n\n");
  get.headers.emplace_back("X-Amz-Copy-Source", "other/object");
  SigV4Diagnostics diag;
  expectError(
      verify(get.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3, .diagnostics = &diag}),
      "AccessDenied", 403, "There were headers present in the request which were not signed");
  EXPECT_EQ(diag.headersNotSigned, "x-amz-copy-source");

  auto presigned = s3PresignedExample();
  presigned.headers.emplace_back("x-amz-acl", "public-read");
  expectError(verify(presigned.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "AccessDenied", 403);

  // Elsewhere an unsigned header is not covered, but a second value of a signed
  // one changes the canonical request.
  auto r = suiteVanilla();
  r.headers.emplace_back("X-Amz-Meta", "ignored");
  EXPECT_TRUE(verify(r.view(), suiteStore(), kSuiteTime).ok());
  r.headers.emplace_back("Host", "evil.example.com");
  expectError(verify(r.view(), suiteStore(), kSuiteTime), "InvalidSignatureException", 403);
}

TEST(SigV4Negative, MissingAuthentication) {
  RawRequest r = parseRaw("GET / HTTP/1.1\nHost:example.amazonaws.com\n\n");
  expectError(verify(r.view(), suiteStore(), kSuiteTime), "MissingAuthenticationTokenException",
              403, "Missing Authentication Token");
  expectError(verify(r.view(), suiteStore(), kSuiteTime, {.style = AuthErrorStyle::Query}),
              "MissingAuthenticationToken", 403, "Request is missing Authentication Token");
  expectError(verify(r.view(), suiteStore(), kSuiteTime, {.style = AuthErrorStyle::S3}),
              "AccessDenied", 403, "Access Denied");
  EXPECT_FALSE(parseScope(r.view()));
}

TEST(SigV4Negative, IncompleteSignature) {
  auto r = parseRaw(
      "GET / HTTP/1.1\nHost:example.amazonaws.com\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
      "aws4_request\n\n");
  expectError(verify(r.view(), suiteStore(), kSuiteTime), "IncompleteSignatureException", 400,
              "Authorization header requires 'Signature' parameter. Authorization header requires "
              "'SignedHeaders' parameter. Authorization header requires existence of either a "
              "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "
              "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request");
  expectError(verify(r.view(), suiteStore(), kSuiteTime, {.style = AuthErrorStyle::Query}),
              "IncompleteSignature", 400);
  expectError(verify(r.view(), suiteStore(), kSuiteTime, {.style = AuthErrorStyle::S3}),
              "AuthorizationHeaderMalformed", 400,
              "The authorization header is malformed; the authorization header requires three "
              "components: Credential, SignedHeaders, and Signature.");

  auto noEq = parseRaw(
      "GET / HTTP/1.1\nHost:example.amazonaws.com\nX-Amz-Date:20150830T123600Z\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/"
      "aws4_request, SignedHeaders=host;x-amz-date, Signature=abc\n\n");
  expectError(verify(noEq.view(), suiteStore(), kSuiteTime), "IncompleteSignatureException", 400,
              "'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing "
              "equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE "
              "/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, "
              "Signature=abc'.");
}

TEST(SigV4Negative, CredentialScopeDateMustMatchRequestDate) {
  auto r = suiteVanilla();
  r.headers[1].second = "20150831T000000Z";
  expectError(verify(r.view(), suiteStore(), at("20150831T000000Z")), "InvalidSignatureException",
              403,
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
              "HTTP: '20150830' != '20150831', from '20150831T000000Z'.");
}

TEST(SigV4Negative, S3PayloadHashChecks) {
  auto put = parseRaw(
      "PUT /test%24file.text HTTP/1.1\nHost:examplebucket.s3.amazonaws.com\n"
      "Date:Fri, 24 May 2013 00:00:00 GMT\nx-amz-date:20130524T000000Z\n"
      "x-amz-storage-class:REDUCED_REDUNDANCY\n"
      "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
      "Authorization:AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
      "aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
      "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd\n\n"
      "Welcome to Amazon S3.");
  auto changed = put;
  changed.body = "Welcome to Amazon S4.";
  expectError(verify(changed.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "XAmzContentSHA256Mismatch", 400,
              "The provided 'x-amz-content-sha256' header does not match what was computed.");
  auto missing = put;
  std::erase_if(missing.headers, [](auto& h) { return h.first == "x-amz-content-sha256"; });
  expectError(verify(missing.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "InvalidRequest", 400,
              "Missing required header for this request: x-amz-content-sha256");
  auto bogus = put;
  for (auto& h : bogus.headers) {
    if (h.first == "x-amz-content-sha256") h.second = "NOT-A-HASH";
  }
  expectError(verify(bogus.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "InvalidArgument", 400);
}

TEST(SigV4Negative, OnlyOneAuthMechanismForS3) {
  auto r = s3PresignedExample();
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                         "aws4_request,SignedHeaders=host,Signature=00");
  expectError(verify(r.view(), s3Store(), kS3Time, {.style = AuthErrorStyle::S3}),
              "InvalidArgument", 400);
}

// --- building blocks, scope, signing helpers ---------------------------------------

TEST(SigV4Canonical, UriAndQueryRules) {
  // Non-S3 paths: normalised, then encoded once more ("double encoding").
  EXPECT_EQ(canonicalUri("/functions/my%3Afn/invocations", false),
            "/functions/my%253Afn/invocations");
  EXPECT_EQ(canonicalUri("/a/./b/../c//d/", false), "/a/c/d/");
  EXPECT_EQ(canonicalUri("", false), "/");
  // S3: as sent.
  EXPECT_EQ(canonicalUri("/bucket/a%20b//./c", true), "/bucket/a%20b//./c");
  EXPECT_EQ(canonicalQueryString("b=2&a=x%20y&a=x&flag", false), "a=x&a=x%20y&b=2&flag=");
  EXPECT_EQ(canonicalQueryString("prefix=a/b&X-Amz-Signature=zz", true), "prefix=a%2Fb");
  EXPECT_EQ(uriEncode("a+b=c~", false), "a%2Bb%3Dc~");
}

TEST(SigV4Canonical, Dates) {
  EXPECT_EQ(formatAmzDate(kSuiteTime), "20150830T123600Z");
  EXPECT_EQ(parseHttpDate("Fri, 24 May 2013 00:00:00 GMT"), kS3Time);
  EXPECT_FALSE(parseAmzDate("2015-08-30T12:36:00Z"));
  EXPECT_EQ(hexEncode(deriveSigningKey(kSuiteSecret, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Scope, FromHeaderOrPresignedQuery) {
  auto header = parseScope(suiteVanilla().view());
  ASSERT_TRUE(header);
  EXPECT_EQ(header->service, "service");
  EXPECT_FALSE(header->presigned);
  auto query = parseScope(s3PresignedExample().view());
  ASSERT_TRUE(query);
  EXPECT_EQ(query->accessKeyId, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(query->region, "us-east-1");
  EXPECT_EQ(query->service, "s3");
  EXPECT_TRUE(query->presigned);
}

TEST(SigV4Sign, SignRequestMatchesThePublishedVectorAndVerifies) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "example.amazonaws.com"}};
  SignParams params;
  params.credentials = {std::string(kSuiteKey), std::string(kSuiteSecret)};
  params.service = "service";
  params.time = kSuiteTime;
  std::string sig = signRequest("POST", "/", headers, "Param1=value1", params);
  EXPECT_EQ(sig, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  HttpRequestView view{"POST", "/", headers, std::string_view("Param1=value1")};
  EXPECT_TRUE(verify(view, suiteStore(), kSuiteTime).ok());
}

TEST(SigV4Sign, PresignTargetMatchesTheS3Example) {
  SignParams params;
  params.credentials = {std::string(kS3Key), std::string(kS3Secret)};
  params.service = "s3";
  params.time = kS3Time;
  std::string target =
      presignTarget("GET", "/test.txt", "examplebucket.s3.amazonaws.com", 86400s, params);
  EXPECT_EQ(target, s3PresignedExample().target);
}

// --- requests signed by botocore -----------------------------------------------------

TEST(SigV4Botocore, SignedRequestsVerifyAndTamperingIsCaught) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) +
                   "/tests/unit/gateway/sigv4_botocore_fixtures.json");
  ASSERT_TRUE(in) << "missing fixtures";
  std::stringstream text;
  text << in.rdbuf();
  auto doc = parseJson(text.str());
  ASSERT_TRUE(doc);
  const auto& root = doc->as_object();
  CredentialStore store{{std::string(root.at("accessKeyId").as_string()),
                         std::string(root.at("secretAccessKey").as_string())}};
  const auto& cases = root.at("cases").as_array();
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    const auto& o = c.as_object();
    std::string name(o.at("name").as_string());
    RawRequest r;
    r.method = std::string(o.at("method").as_string());
    r.target = std::string(o.at("target").as_string());
    r.body = std::string(o.at("body").as_string());
    for (const auto& h : o.at("headers").as_array()) {
      r.headers.emplace_back(std::string(h.as_array()[0].as_string()),
                             std::string(h.as_array()[1].as_string()));
    }
    const bool s3 = o.at("service").as_string() == "s3";
    VerifyOptions options{.style = s3 ? AuthErrorStyle::S3 : AuthErrorStyle::Json};
    TimePoint now = fromSeconds(static_cast<double>(o.at("signedAt").as_int64())) + 30s;
    SigV4Diagnostics diag;
    options.diagnostics = &diag;
    auto v = verify(r.view(), store, now, options);
    ASSERT_TRUE(v.ok()) << name << ": " << v.error().code << " " << v.error().message << "\n"
                        << diag.canonicalRequest;
    EXPECT_EQ(v->scope.service, o.at("service").as_string()) << name;
    EXPECT_EQ(v->scope.presigned, o.at("expires").as_int64() > 0) << name;

    // The same request with one byte of the target changed must fail.
    RawRequest tampered = r;
    auto q = tampered.target.find('?');
    size_t pos = q == std::string::npos ? tampered.target.size() - 1 : q - 1;
    tampered.target[pos] = tampered.target[pos] == 'x' ? 'y' : 'x';
    auto t = verify(tampered.view(), store, now, options);
    EXPECT_FALSE(t.ok()) << name << " (tampered target)";
    if (!r.body.empty() && !v->scope.presigned && v->payloadHash != "UNSIGNED-PAYLOAD") {
      RawRequest changed = r;
      changed.body.back() = changed.body.back() == 'x' ? 'y' : 'x';
      EXPECT_FALSE(verify(changed.view(), store, now, options).ok()) << name << " (tampered body)";
    }
    if (v->scope.presigned) {
      TimePoint late = fromSeconds(
          static_cast<double>(o.at("signedAt").as_int64() + o.at("expires").as_int64() + 1));
      EXPECT_FALSE(verify(r.view(), store, late, options).ok()) << name << " (expired)";
    }
  }
}

}  // namespace
}  // namespace sluice::gateway
