// Known vectors: CRC check values of "123456789" (the Rocksoft catalogue:
// CRC-32 0xCBF43926, CRC-32C 0xE3069283, CRC-64/NVME 0xAE8B14860A799888),
// MD5 from RFC 1321's test suite, SHA-256 from FIPS 180-2.
#include "services/s3/checksums.hpp"

#include <gtest/gtest.h>

#include "core/encoding.hpp"

namespace sluice::services::s3 {
namespace {

TEST(Checksums, CrcCheckValues) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc64nvme("123456789"), 0xAE8B14860A799888ull);
  EXPECT_EQ(crc32(""), 0u);
}

TEST(Checksums, CrcIsIncremental) {
  std::string data(1000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 1000u}) {
    std::string_view a(data.data(), cut), b(data.data() + cut, data.size() - cut);
    EXPECT_EQ(crc32(b, crc32(a)), crc32(data));
    EXPECT_EQ(crc32c(b, crc32c(a)), crc32c(data));
    EXPECT_EQ(crc64nvme(b, crc64nvme(a)), crc64nvme(data));
  }
}

TEST(Checksums, Base64BigEndianAsTheHeadersCarryThem) {
  // "hello world": CRC-32 0x0D4A1185.
  EXPECT_EQ(checksumBase64(ChecksumAlgorithm::CRC32, "hello world"), "DUoRhQ==");
  EXPECT_EQ(checksumBase64(ChecksumAlgorithm::SHA256, "abc"),
            base64Encode(std::string("\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae"
                                     "\x22\x23\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61"
                                     "\xf2\x00\x15\xad",
                                     32)));
  EXPECT_EQ(checksumHeader(ChecksumAlgorithm::CRC32C), "x-amz-checksum-crc32c");
  EXPECT_EQ(checksumMember(ChecksumAlgorithm::SHA1), "ChecksumSHA1");
  EXPECT_EQ(parseChecksumAlgorithm("crc64nvme"), ChecksumAlgorithm::CRC64NVME);
  EXPECT_FALSE(parseChecksumAlgorithm("md5").has_value());
}

TEST(Etags, SinglePartIsTheQuotedMd5) {
  EXPECT_EQ(quotedEtag(""), "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(quotedEtag("abc"), "\"900150983cd24fb0d6963f7d28e17f72\"");
  EXPECT_EQ(quotedEtag("message digest"), "\"f96b697d7cb7938d525a2f31aaf161d0\"");
}

TEST(Etags, MultipartIsTheMd5OfTheBinaryPartMd5s) {
  // md5(md5("abc") || md5("")) computed from the parts' digests, "-2".
  std::string raw = md5Raw("abc") + md5Raw("");
  std::string expected = "\"" + md5Hex(raw) + "-2\"";
  EXPECT_EQ(multipartEtag({quotedEtag("abc"), quotedEtag("")}), expected);
  EXPECT_EQ(multipartEtag({"900150983cd24fb0d6963f7d28e17f72"}),
            "\"" + md5Hex(md5Raw("abc")) + "-1\"");
}

// A body digested in pieces (a spill file read slice by slice) gets the same
// value as in one piece; "123456789" has published check values.
TEST(Checksums, IncrementalDigestsMatchTheOneShotValues) {
  const std::string data = "123456789";
  for (auto a : kChecksumAlgorithms) {
    IncrementalDigest d(a);
    d.update(data.substr(0, 2));
    d.update("");
    d.update(data.substr(2));
    EXPECT_EQ(d.finish(), checksumDigest(a, data)) << checksumName(a);
  }
  EXPECT_EQ(base64Encode([&] {
              IncrementalDigest d(ChecksumAlgorithm::CRC32);
              d.update(data);
              return d.finish();
            }()),
            base64Encode(std::string("\xcb\xf4\x39\x26", 4)));  // CRC-32 check value
  auto md5 = IncrementalDigest::md5();
  md5.update("1234");
  md5.update("56789");
  EXPECT_EQ(quotedEtagOfMd5(md5.finish()), "\"25f9e794323b453885f5181f1b624d0b\"");
}

TEST(CompositeChecksums, ChecksumOfTheConcatenatedPartChecksums) {
  std::string p1 = checksumBase64(ChecksumAlgorithm::CRC32, "part one");
  std::string p2 = checksumBase64(ChecksumAlgorithm::CRC32, "part two");
  std::string raw = checksumDigest(ChecksumAlgorithm::CRC32, "part one") +
                    checksumDigest(ChecksumAlgorithm::CRC32, "part two");
  EXPECT_EQ(compositeChecksum(ChecksumAlgorithm::CRC32, {p1, p2}),
            checksumBase64(ChecksumAlgorithm::CRC32, raw) + "-2");
  EXPECT_FALSE(compositeChecksum(ChecksumAlgorithm::CRC32, {"!!"}).has_value());
}

}  // namespace
}  // namespace sluice::services::s3
