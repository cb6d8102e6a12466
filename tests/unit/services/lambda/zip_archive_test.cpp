#include "services/lambda/zip_archive.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

namespace sluice::services::lambda {
namespace {

// A stored (uncompressed) zip of (name, contents, unix mode) entries, built
// byte by byte as the format lays it out, so tests can make archives no
// well-behaved zip tool would.
struct Entry {
  std::string name, data;
  uint32_t mode = 0100644;
};

void le(std::string& out, uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string storedZip(const std::vector<Entry>& entries, bool breakCrc = false) {
  std::string out, central;
  for (const auto& e : entries) {
    uint32_t crc = static_cast<uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(e.data.data()),
                                                 static_cast<uInt>(e.data.size())));
    if (breakCrc) crc ^= 1;
    uint32_t offset = static_cast<uint32_t>(out.size());
    le(out, 0x04034b50, 4);
    le(out, 20, 2), le(out, 0, 2), le(out, 0, 2), le(out, 0, 2), le(out, 0, 2);
    le(out, crc, 4), le(out, e.data.size(), 4), le(out, e.data.size(), 4);
    le(out, e.name.size(), 2), le(out, 0, 2);
    out += e.name + e.data;
    le(central, 0x02014b50, 4);
    le(central, (3 << 8) | 20, 2), le(central, 20, 2), le(central, 0, 2), le(central, 0, 2);
    le(central, 0, 2), le(central, 0, 2);
    le(central, crc, 4), le(central, e.data.size(), 4), le(central, e.data.size(), 4);
    le(central, e.name.size(), 2), le(central, 0, 2), le(central, 0, 2), le(central, 0, 2);
    le(central, 0, 2), le(central, e.mode << 16, 4), le(central, offset, 4);
    central += e.name;
  }
  uint32_t centralOffset = static_cast<uint32_t>(out.size());
  out += central;
  le(out, 0x06054b50, 4), le(out, 0, 2), le(out, 0, 2);
  le(out, entries.size(), 2), le(out, entries.size(), 2);
  le(out, central.size(), 4), le(out, centralOffset, 4), le(out, 0, 2);
  return out;
}

class ZipArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sluice-zip-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::filesystem::path dir_;
};

TEST_F(ZipArchiveTest, ExtractsFilesDirectoriesModesAndInsideLinks) {
  std::string bytes = storedZip({{"app.py", "print(1)\n"},
                                 {"lib/", "", 040755},
                                 {"lib/util.py", "x = 2\n"},
                                 {"bootstrap", "#!/bin/sh\n", 0100755},
                                 {"lib/link.py", "util.py", 0120777}});
  auto zip = ZipArchive::open(bytes);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(zip->entries().size(), 5u);
  EXPECT_EQ(zip->unzippedSize(), 9u + 6u + 10u + 7u);
  ASSERT_TRUE(zip->extractTo(dir_ / "out").ok());
  EXPECT_EQ(slurp(dir_ / "out/app.py"), "print(1)\n");
  EXPECT_EQ(slurp(dir_ / "out/lib/link.py"), "x = 2\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir_ / "out/bootstrap").c_str(), &st), 0);
  EXPECT_TRUE(st.st_mode & S_IXUSR);
  ASSERT_EQ(::stat((dir_ / "out/app.py").c_str(), &st), 0);
  EXPECT_FALSE(st.st_mode & S_IXUSR);
}

TEST_F(ZipArchiveTest, RefusesArchivesThatEscapeOrLie) {
  struct Case {
    const char* label;
    std::string bytes;
    const char* why;
  };
  const Case cases[] = {
      {"dotdot", storedZip({{"../evil.py", "x"}}), "'..'"},
      {"nested dotdot", storedZip({{"a/../../evil.py", "x"}}), "'..'"},
      {"absolute", storedZip({{"/etc/evil", "x"}}), "unsafe path"},
      {"backslash", storedZip({{"..\\evil", "x"}}), "unsafe path"},
      {"link out", storedZip({{"l", "../../etc/passwd", 0120777}}), "outside the package"},
      {"absolute link", storedZip({{"l", "/etc/passwd", 0120777}}), "outside the package"},
      {"crc", storedZip({{"a.py", "abc"}}, true), "CRC"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    auto zip = ZipArchive::open(c.bytes);
    ASSERT_TRUE(zip.ok()) << zip.error().message;
    auto r = zip->extractTo(dir_ / c.label);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "InvalidParameterValueException");
    EXPECT_NE(r.error().message.find(c.why), std::string::npos) << r.error().message;
  }
  EXPECT_FALSE(std::filesystem::exists("/tmp/evil.py"));
}

TEST_F(ZipArchiveTest, CorruptBytesAreNotAnArchive) {
  std::string good = storedZip({{"a.py", "abc"}});
  for (std::string bad : {std::string(), std::string("PK\x03\x04 nothing"), good.substr(0, 30),
                          good.substr(0, good.size() - 3)}) {
    auto zip = ZipArchive::open(bad);
    ASSERT_FALSE(zip.ok());
    EXPECT_EQ(zip.error().code, "InvalidParameterValueException");
  }
}

}  // namespace
}  // namespace sluice::services::lambda
