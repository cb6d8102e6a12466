// A large body on its way to a spill file, fed the way the HTTP server feeds
// it (read into buffer(), then received(n)) in uneven pieces: the file holds
// the decoded bytes, trailers and hashes come out, errors end the body.
#include "gateway/body_spill.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "../store/store_test_support.hpp"

namespace sluice::gateway {
namespace {

using store::testing::TempDir;

// Feeds `wire` in pieces of at most `piece` bytes, as reads from a socket.
Result<void> feed(BodySpill& spill, std::string_view wire, size_t piece) {
  while (!wire.empty()) {
    auto target = spill.buffer();
    size_t n = std::min({wire.size(), target.size(), piece});
    std::memcpy(target.data(), wire.data(), n);
    wire.remove_prefix(n);
    if (auto r = spill.received(n); !r) return r;
  }
  return {};
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 4099) & 0xff);
  return s;
}

TEST(BodySpill, APlainBodyIsWrittenWholeAndHashed) {
  TempDir tmp;
  const std::string data = pattern(3 * (1 << 20) + 12345);  // crosses several slices
  auto file = store::SpilledBody::create(tmp.path());
  ASSERT_TRUE(file.ok());
  BodySpill spill(std::move(*file), {.chunked = std::nullopt, .hashBody = true});
  ASSERT_TRUE(feed(spill, data, 65536 + 7).ok());
  auto body = spill.finish();
  ASSERT_TRUE(body.ok()) << body.error().message;
  EXPECT_FALSE(body->chunked.has_value());
  EXPECT_EQ(body->sha256, sha256Hex(data));
  auto back = body->file.readAll();
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
}

TEST(BodySpill, AnAwsChunkedBodyIsDecodedOnTheWay) {
  TempDir tmp;
  const std::string data = pattern(2 * (1 << 20) + 99);
  std::string wire;
  for (size_t i = 0; i < data.size(); i += 70000) {
    std::string_view chunk = std::string_view(data).substr(i, 70000);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    wire += size;
    wire += chunk;
    wire += "\r\n";
  }
  wire += "0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  auto file = store::SpilledBody::create(tmp.path());
  ASSERT_TRUE(file.ok());
  BodySpill spill(std::move(*file),
                  {.chunked = awsChunkedVariant("STREAMING-UNSIGNED-PAYLOAD-TRAILER")});
  ASSERT_TRUE(feed(spill, wire, 1000).ok());
  auto body = spill.finish();
  ASSERT_TRUE(body.ok()) << body.error().message;
  ASSERT_TRUE(body->chunked.has_value());
  EXPECT_EQ(body->chunked->decodedBytes, data.size());
  ASSERT_EQ(body->chunked->trailers.size(), 1u);
  EXPECT_EQ(body->chunked->trailers[0].first, "x-amz-checksum-crc32");
  EXPECT_TRUE(body->sha256.empty());
  auto back = body->file.readAll();
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data);
}

TEST(BodySpill, ACutOrBrokenChunkedBodyIsRefusedAndItsFileRemoved) {
  TempDir tmp;
  auto chunked = awsChunkedVariant("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  {
    auto file = store::SpilledBody::create(tmp.path());
    ASSERT_TRUE(file.ok());
    BodySpill spill(std::move(*file), {.chunked = chunked});
    ASSERT_TRUE(feed(spill, "10\r\nonly a few", 4).ok());
    auto body = spill.finish();
    ASSERT_FALSE(body.ok());
    EXPECT_EQ(body.error().code, "IncompleteBody");
  }
  {
    auto file = store::SpilledBody::create(tmp.path());
    ASSERT_TRUE(file.ok());
    BodySpill spill(std::move(*file), {.chunked = chunked});
    auto r = feed(spill, "zz\r\nabc\r\n0\r\n\r\n", 3);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "InvalidArgument");
  }
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

}  // namespace
}  // namespace sluice::gateway
