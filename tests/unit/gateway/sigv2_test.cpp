// S3 Signature Version 2. The vectors are the examples of AWS's "Signing and
// authenticating REST requests (AWS signature version 2)" page (secret
// wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY), plus strings to sign built by
// hand from that page's rules whose HMAC-SHA1 was computed independently
// (Python's hmac module), never by the code under test.
#include "gateway/sigv2.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

constexpr char kKeyId[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Request {
  std::string method = "GET";
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  HttpRequestView view() const { return {method, target, headers, std::string_view()}; }
};

TimePoint at(const char* httpDate) {
  return *parseHttpDate(httpDate);
}

CredentialStore keys() {
  return CredentialStore{{kKeyId, kSecret}};
}

void expectVerified(const Request& r, TimePoint now) {
  auto v = verifySigV2(r.view(), keys(), now);
  ASSERT_TRUE(v) << v.error().code << ": " << v.error().message;
  EXPECT_EQ(v->accessKeyId, kKeyId);
}

std::string field(const AwsError& e, std::string_view name) {
  for (const auto& f : e.fields) {
    if (f.name == name) return f.value;
  }
  return "<absent>";
}

TEST(SigV2, DocumentedObjectGetVirtualHosted) {
  Request r{"GET",
            "/photos/puppy.jpg",
            {{"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g="}}};
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_TRUE(isSigV2(r.view()));
  expectVerified(r, at("Tue, 27 Mar 2007 19:40:00 GMT"));
}

TEST(SigV2, DocumentedObjectPutSignsContentType) {
  Request r{"PUT",
            "/photos/puppy.jpg",
            {{"Content-Type", "image/jpeg"},
             {"Content-Length", "94328"},
             {"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 21:15:45 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:iqRzw+ileNPu1fhspnRs8nOjjIA="}}};
  expectVerified(r, at("Tue, 27 Mar 2007 21:15:45 GMT"));
}

TEST(SigV2, DocumentedListSignsNoListingParameters) {
  Request r{"GET",
            "/?prefix=photos&max-keys=50&marker=puppy",
            {{"User-Agent", "Mozilla/5.0"},
             {"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 19:42:41 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:m0WP8eCtspQl5Ahe6L1SozdX9YA="}}};
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/awsexamplebucket1/");
  expectVerified(r, at("Tue, 27 Mar 2007 19:42:41 GMT"));
}

TEST(SigV2, DocumentedFetchSignsTheAclSubResource) {
  Request r{"GET",
            "/?acl",
            {{"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 19:44:46 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:82ZHiFIjc+WbcwFKGUVEQspPn+0="}}};
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/awsexamplebucket1/?acl");
  expectVerified(r, at("Tue, 27 Mar 2007 19:44:46 GMT"));
}

TEST(SigV2, DocumentedDeletePathStyleWithXAmzDate) {
  Request r{"DELETE",
            "/awsexamplebucket1/photos/puppy.jpg",
            {{"User-Agent", "dotnet"},
             {"Host", "s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 21:20:27 +0000"},
             {"x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:XbyTlbQdu9Xw5o8P4iMwPktxQd8="}}};
  expectVerified(r, at("Tue, 27 Mar 2007 21:20:26 GMT"));
}

TEST(SigV2, DocumentedListAllMyBuckets) {
  Request r{"GET",
            "/",
            {{"Host", "s3.us-west-1.amazonaws.com"},
             {"Date", "Wed, 28 Mar 2007 01:29:59 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:qGdzdERIC03wnaRNKh6OqZehG9s="}}};
  expectVerified(r, at("Wed, 28 Mar 2007 01:29:59 GMT"));
}

TEST(SigV2, DocumentedUnicodeKeysSignThePathAsSent) {
  Request r{"GET",
            "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
            {{"Host", "s3.us-west-1.amazonaws.com"},
             {"Date", "Wed, 28 Mar 2007 01:49:49 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:DNEZGsoieTZ92F3bUfSPQcbGmlM="}}};
  expectVerified(r, at("Wed, 28 Mar 2007 01:49:49 GMT"));
}

TEST(SigV2, DocumentedQueryStringAuthentication) {
  Request r{"GET",
            "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620&Signature="
            "NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D",
            {{"Host", "johnsmith.s3.amazonaws.com"}}};
  EXPECT_EQ(sigV2StringToSign(r.view()), "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg");
  EXPECT_TRUE(isSigV2(r.view()));
  expectVerified(r, fromSeconds(1175139620 - 60));

  auto late = verifySigV2(r.view(), keys(), fromSeconds(1175139620 + 1));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "AccessDenied");
  EXPECT_EQ(late.error().message, "Request has expired");
  EXPECT_EQ(late.error().httpStatus, 403);
}

TEST(SigV2, AmzHeadersAreLowercasedSortedAndRepeatsJoined) {
  // The page's upload example, path-style. Expected signature computed with
  // Python's hmac over the string below.
  Request r{"PUT",
            "/static.example.com/db-backup.dat.gz",
            {{"User-Agent", "curl/7.15.5"},
             {"Host", "localhost:4566"},
             {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"},
             {"x-amz-acl", "public-read"},
             {"content-type", "application/x-download"},
             {"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
             {"X-Amz-Meta-ReviewedBy", "joe@example.com"},
             {"X-Amz-Meta-ReviewedBy", "jane@example.com"},
             {"X-Amz-Meta-FileChecksum", "0x02661779"},
             {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
             {"Content-Disposition", "attachment; filename=database.dat"},
             {"Content-Encoding", "gzip"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:jtBQa0Aq+DkULFI8qrpwIjGEx0E="}}};
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 "
            "+0000\nx-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\n"
            "x-amz-meta-filechecksum:0x02661779\n"
            "x-amz-meta-reviewedby:joe@example.com,jane@example.com\n"
            "/static.example.com/db-backup.dat.gz");
  expectVerified(r, at("Tue, 27 Mar 2007 21:06:08 GMT"));
}

TEST(SigV2, SubResourcesAreSortedDecodedAndOthersLeftOut) {
  Request r{"GET",
            "/bkt/k?versionId=3%2F4&response-content-type=text%2Fplain&list-type=2&uploads",
            {{"Host", "127.0.0.1:4566"}, {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"}}};
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "GET\n\n\nTue, 27 Mar 2007 21:06:08 +0000\n"
            "/bkt/k?response-content-type=text/plain&uploads&versionId=3/4");
}

TEST(SigV2, APathStyleBucketAloneEndsWithASlash) {
  Request r{
      "PUT", "/legacy", {{"Host", "127.0.0.1:4566"}, {"Date", "Tue, 27 Mar 2007 21:06:08 GMT"}}};
  EXPECT_EQ(sigV2StringToSign(r.view()), "PUT\n\n\nTue, 27 Mar 2007 21:06:08 GMT\n/legacy/");
  r.target = "/legacy?versioning";
  EXPECT_EQ(sigV2StringToSign(r.view()),
            "PUT\n\n\nTue, 27 Mar 2007 21:06:08 GMT\n/legacy/?versioning");
  r.target = "/";
  EXPECT_EQ(sigV2StringToSign(r.view()), "PUT\n\n\nTue, 27 Mar 2007 21:06:08 GMT\n/");
}

TEST(SigV2, WrongSecretIsSignatureDoesNotMatchWithWhatS3Computed) {
  Request r{"GET",
            "/photos/puppy.jpg",
            {{"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
             {"Authorization", "AWS AKIAIOSFODNN7EXAMPLE:AAAA6Sv9/oM7G3qLEjTH1a1l1g="}}};
  auto v = verifySigV2(r.view(), keys(), at("Tue, 27 Mar 2007 19:36:42 GMT"));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(v.error().httpStatus, 403);
  EXPECT_EQ(field(v.error(), "StringToSign"),
            "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg");
  EXPECT_EQ(field(v.error(), "SignatureProvided"), "AAAA6Sv9/oM7G3qLEjTH1a1l1g=");
  EXPECT_EQ(field(v.error(), "AWSAccessKeyId"), kKeyId);
  EXPECT_TRUE(field(v.error(), "StringToSignBytes").starts_with("47 45 54 0a"));  // "GET\n"

  // The same request for another key is a different resource: no match.
  r.target = "/photos/kitten.jpg";
  r.headers.back().second = "AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=";
  EXPECT_EQ(verifySigV2(r.view(), keys(), at("Tue, 27 Mar 2007 19:36:42 GMT")).error().code,
            "SignatureDoesNotMatch");
}

TEST(SigV2, UnknownKeyMalformedHeaderSkewAndMissingDate) {
  Request r{"GET",
            "/photos/puppy.jpg",
            {{"Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com"},
             {"Date", "Tue, 27 Mar 2007 19:36:42 +0000"},
             {"Authorization", "AWS AKIDUNKNOWN:qgk2+6Sv9/oM7G3qLEjTH1a1l1g="}}};
  TimePoint now = at("Tue, 27 Mar 2007 19:36:42 GMT");
  auto unknown = verifySigV2(r.view(), keys(), now);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "InvalidAccessKeyId");
  EXPECT_EQ(field(unknown.error(), "AWSAccessKeyId"), "AKIDUNKNOWN");

  r.headers.back().second = "AWS no-colon-here";
  EXPECT_EQ(verifySigV2(r.view(), keys(), now).error().code, "InvalidArgument");

  r.headers.back().second = "AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=";
  auto skewed = verifySigV2(r.view(), keys(), now + std::chrono::minutes(16));
  ASSERT_FALSE(skewed);
  EXPECT_EQ(skewed.error().code, "RequestTimeTooSkewed");
  expectVerified(r, now + std::chrono::minutes(14));

  r.headers.erase(r.headers.begin() + 1);  // no Date
  auto undated = verifySigV2(r.view(), keys(), now);
  ASSERT_FALSE(undated);
  EXPECT_EQ(undated.error().code, "AccessDenied");
}

TEST(SigV2, DatesWithANumericZoneAreThatZonesTime) {
  EXPECT_EQ(at("Tue, 27 Mar 2007 14:36:42 -0500"), at("Tue, 27 Mar 2007 19:36:42 GMT"));
  EXPECT_EQ(at("Tue, 27 Mar 2007 19:36:42 +0000"), at("Tue, 27 Mar 2007 19:36:42 GMT"));
  EXPECT_FALSE(parseHttpDate("Tue, 27 Mar 2007 19:36:42 +00"));
}

TEST(SigV2, QueryFormNeedsAllThreeParameters) {
  Request r{"GET", "/b/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=abc", {{"Host", "h"}}};
  auto v = verifySigV2(r.view(), keys(), TimePoint{});
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, "AccessDenied");
  EXPECT_FALSE(isSigV2(Request{"GET", "/b/k?X-Amz-Signature=abc", {}}.view()));
  EXPECT_FALSE(isSigV2(Request{"GET", "/b/k", {{"Authorization", "AWS4-HMAC-SHA256 x"}}}.view()));
}

}  // namespace
}  // namespace sluice::gateway
