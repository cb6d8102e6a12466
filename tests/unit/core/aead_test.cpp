#include "core/aead.hpp"

#include <gtest/gtest.h>

namespace sluice {
namespace {

const std::string kKey(32, '\x42');

TEST(Aead, RoundTripsWithAssociatedData) {
  std::string sealed = sealAes256Gcm(kKey, "db-password", "acct/us-east-1/db");
  EXPECT_EQ(sealed.size(), kGcmNonceBytes + 11 + kGcmTagBytes);
  EXPECT_EQ(sealed.find("db-password"), std::string::npos);
  auto plain = openAes256Gcm(kKey, sealed, "acct/us-east-1/db");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, "db-password");
}

TEST(Aead, EmptyPlaintextRoundTrips) {
  auto plain = openAes256Gcm(kKey, sealAes256Gcm(kKey, "", "ad"), "ad");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, "");
}

TEST(Aead, FreshNonceEveryTime) {
  EXPECT_NE(sealAes256Gcm(kKey, "same", "ad"), sealAes256Gcm(kKey, "same", "ad"));
}

// NIST SP 800-38D test case 13 (AES-256, zero key, zero IV, empty
// plaintext): the tag is 530f8afbc74536b9a963b4f1c4cb738b.
TEST(Aead, MatchesNistVectorForEmptyMessage) {
  std::string sealed = sealAes256Gcm(std::string(32, '\0'), "", "", std::string(12, '\0'));
  const unsigned char expected[] = {0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9,
                                    0xa9, 0x63, 0xb4, 0xf1, 0xc4, 0xcb, 0x73, 0x8b};
  ASSERT_EQ(sealed.size(), 12u + 16u);
  EXPECT_EQ(sealed.substr(12), std::string(reinterpret_cast<const char*>(expected), 16));
}

TEST(Aead, DetectsTamperingAnywhere) {
  std::string sealed = sealAes256Gcm(kKey, "secret value", "name");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    EXPECT_FALSE(openAes256Gcm(kKey, bad, "name").has_value()) << "byte " << i;
  }
}

TEST(Aead, RefusesOtherKeyOtherAssociatedDataAndTruncation) {
  std::string sealed = sealAes256Gcm(kKey, "secret", "name");
  EXPECT_FALSE(openAes256Gcm(std::string(32, '\x43'), sealed, "name").has_value());
  EXPECT_FALSE(openAes256Gcm(kKey, sealed, "other-name").has_value());
  EXPECT_FALSE(openAes256Gcm(kKey, sealed.substr(0, sealed.size() - 1), "name").has_value());
  EXPECT_FALSE(openAes256Gcm(kKey, "short", "name").has_value());
  EXPECT_FALSE(openAes256Gcm("short key", sealed, "name").has_value());
}

}  // namespace
}  // namespace sluice
