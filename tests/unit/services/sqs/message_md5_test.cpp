// MD5 digests of SQS messages. Expected values are computed here from AWS's
// documented encoding with a separate, byte-by-byte implementation (and the
// well-known MD5 test vectors), never from the code under test.
#include <gtest/gtest.h>

#include "core/digest.hpp"
#include "core/encoding.hpp"
#include "services/sqs/message_md5.hpp"

namespace sluice::services::sqs {
namespace {

// 4-byte big-endian length, then the bytes.
std::string field(const std::string& bytes) {
  std::string out(4, '\0');
  out[0] = static_cast<char>((bytes.size() >> 24) & 0xff);
  out[1] = static_cast<char>((bytes.size() >> 16) & 0xff);
  out[2] = static_cast<char>((bytes.size() >> 8) & 0xff);
  out[3] = static_cast<char>(bytes.size() & 0xff);
  return out + bytes;
}

TEST(MessageMd5, BodyDigestIsPlainMd5) {
  EXPECT_EQ(md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");  // RFC 1321 test suite
  EXPECT_EQ(md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(MessageMd5, NoAttributesNoDigest) {
  auto md5 = md5OfMessageAttributes(Json(JsonObject{}));
  ASSERT_TRUE(md5);
  EXPECT_EQ(*md5, "");
}

TEST(MessageMd5, AttributesAreSortedLengthPrefixedWithTransportBytes) {
  Json attrs = parseJson(R"({
    "zeta": {"DataType": "Number", "StringValue": "42"},
    "alpha": {"DataType": "String", "StringValue": "héllo"},
    "blob": {"DataType": "Binary.gz", "BinaryValue": ")" +
                         base64Encode(std::string("\x00\x01\xff", 3)) +
                         R"("}
  })")
                   .value();
  std::string expected = field("alpha") + field("String") + '\x01' + field("héllo") +
                         field("blob") + field("Binary.gz") + '\x02' +
                         field(std::string("\x00\x01\xff", 3)) + field("zeta") + field("Number") +
                         '\x01' + field("42");
  auto md5 = md5OfMessageAttributes(attrs);
  ASSERT_TRUE(md5);
  EXPECT_EQ(*md5, hexDigest("MD5", expected).value());
}

TEST(MessageMd5, KnownValueForOneStringAttribute) {
  // 00000001 'a' 00000006 'String' 01 00000001 'x', digested independently.
  std::string bytes = std::string("\0\0\0\1a", 5) + std::string("\0\0\0\6String", 10) + '\x01' +
                      std::string("\0\0\0\1x", 5);
  Json attrs = parseJson(R"({"a": {"DataType": "String", "StringValue": "x"}})").value();
  EXPECT_EQ(md5OfMessageAttributes(attrs).value(), hexDigest("MD5", bytes).value());
}

TEST(MessageMd5, BadBinaryIsAnError) {
  Json attrs = parseJson(R"({"b": {"DataType": "Binary", "BinaryValue": "***"}})").value();
  auto md5 = md5OfMessageAttributes(attrs);
  ASSERT_FALSE(md5);
  EXPECT_EQ(md5.error().code, "InvalidParameterValue");
}

}  // namespace
}  // namespace sluice::services::sqs
