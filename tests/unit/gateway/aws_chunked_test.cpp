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

// The streaming path: the same bytes fed in slices of any size decode to the
// same data, and the chunk hashes recorded on the way verify the chain later.
TEST(AwsChunked, FeedingInSlicesDecodesTheSameAndVerifiesAfterwards) {
  auto v = docsContext();
  auto options = *awsChunkedVariant("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  const std::string body = docsBody();
  for (size_t slice : {size_t(1), size_t(7), size_t(4096), body.size()}) {
    std::string out;
    AwsChunkedDecoder decoder(options, /*hashChunks=*/true, [&](std::string_view d) {
      out.append(d);
      return Result<void>();
    });
    for (size_t i = 0; i < body.size(); i += slice) {
      ASSERT_TRUE(decoder.feed(std::string_view(body).substr(i, slice)).ok()) << slice;
    }
    auto decoded = decoder.finish();
    ASSERT_TRUE(decoded.ok()) << slice;
    EXPECT_EQ(out, std::string(66560, 'a'));
    EXPECT_EQ(decoded->decodedBytes, 66560u);
    EXPECT_EQ(decoded->chunks.size(), 3u);  // two data chunks and the final empty one
    EXPECT_TRUE(verifyAwsChunkedSignatures(*decoded, options, v).ok()) << slice;
  }
}

TEST(AwsChunked, ATamperedChunkFailsWhenVerifiedAfterStreaming) {
  auto v = docsContext();
  auto options = *awsChunkedVariant("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  std::string body = docsBody();
  body[body.size() - 600] = 'b';  // inside the second (1 KiB) chunk
  AwsChunkedDecoder decoder(options, true, [](std::string_view) { return Result<void>(); });
  ASSERT_TRUE(decoder.feed(body).ok());
  auto decoded = decoder.finish();
  ASSERT_TRUE(decoded.ok());
  auto r = verifyAwsChunkedSignatures(*decoded, options, v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "SignatureDoesNotMatch");
  // Not hashed (signatures not verified): nothing to check against, so refused.
  AwsChunkedDecoder unhashed(options, false, [](std::string_view) { return Result<void>(); });
  ASSERT_TRUE(unhashed.feed(docsBody()).ok());
  auto plain = unhashed.finish();
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(verifyAwsChunkedSignatures(*plain, options, v).ok());
}

TEST(AwsChunked, StreamedTrailersAndSinkErrors) {
  auto options = *awsChunkedVariant("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  const std::string body =
      "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  std::string out;
  AwsChunkedDecoder decoder(options, false, [&](std::string_view d) {
    out.append(d);
    return Result<void>();
  });
  for (char c : body) ASSERT_TRUE(decoder.feed(std::string_view(&c, 1)).ok());
  auto decoded = decoder.finish();
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(out, "hello world");
  ASSERT_EQ(decoded->trailers.size(), 1u);
  EXPECT_EQ(decoded->trailers[0].second, "DUoRhQ==");
  // A body cut inside a chunk is incomplete however it was fed.
  AwsChunkedDecoder cut(options, false, [](std::string_view) { return Result<void>(); });
  ASSERT_TRUE(cut.feed(body.substr(0, 8)).ok());
  auto r = cut.finish();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "IncompleteBody");
  // A failing sink (a full disk) stops the decoding with its error.
  AwsChunkedDecoder full(options, false, [](std::string_view) -> Result<void> {
    return AwsError::internal("disk full");
  });
  auto f = full.feed(body);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "disk full");
}

}  // namespace
}  // namespace sluice::gateway
