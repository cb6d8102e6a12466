// aws-chunked decoding, with the chunk signatures of the AWS documentation's
// example ("Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks", 64 KiB + 1 KiB of 'a').
#include "gateway/aws_chunked.hpp"

#include <gtest/gtest.h>

namespace sluice::gateway {
namespace {

SigV4Verified docsContext() {
  SigV4Verified v;
  v.signing.signingKey =
      deriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  v.signing.amzDate = "20130524T000000Z";
  v.signing.scope = "20130524/us-east-1/s3/aws4_request";
  v.signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  return v;
}

std::string docsBody() {
  return "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
         "\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature="
         "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
         "\r\n\r\n";
}

TEST(AwsChunked, DecodesTheDocsExampleAndChecksEveryChunkSignature) {
  auto v = docsContext();
  auto options = *awsChunkedVariant("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  options.verified = &v;
  std::string body = docsBody();
  auto trailers = decodeAwsChunked(body, options);
  ASSERT_TRUE(trailers.ok()) << trailers.error().message;
  EXPECT_EQ(body, std::string(66560, 'a'));
  EXPECT_TRUE(trailers->empty());
}

TEST(AwsChunked, ATamperedChunkFailsItsSignature) {
  auto v = docsContext();
  auto options = *awsChunkedVariant("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  options.verified = &v;
  std::string body = docsBody();
  body[200] = 'b';
  auto r = decodeAwsChunked(body, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(r.error().httpStatus, 403);
}

TEST(AwsChunked, UnsignedTrailerVariantReturnsTheTrailers) {
  auto options = *awsChunkedVariant("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  auto trailers = decodeAwsChunked(body, options);
  ASSERT_TRUE(trailers.ok());
  EXPECT_EQ(body, "hello world");
  ASSERT_EQ(trailers->size(), 1u);
  EXPECT_EQ((*trailers)[0].first, "x-amz-checksum-crc32");
  EXPECT_EQ((*trailers)[0].second, "DUoRhQ==");
}

TEST(AwsChunked, TruncatedAndMalformedBodiesAreRefused) {
  auto options = *awsChunkedVariant("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  std::string truncated = "10\r\nshort";
  auto r = decodeAwsChunked(truncated, options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "IncompleteBody");
  std::string badSize = "zz\r\nabc\r\n0\r\n\r\n";
  auto r2 = decodeAwsChunked(badSize, options);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code, "InvalidArgument");
  EXPECT_FALSE(awsChunkedVariant("UNSIGNED-PAYLOAD").has_value());
}

}  // namespace
}  // namespace sluice::gateway
