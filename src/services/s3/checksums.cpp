#include "services/s3/checksums.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>

#include "core/encoding.hpp"

namespace sluice::services::s3 {

namespace {

// A reflected CRC with slicing-by-8 tables (eight bytes per step).
template <typename T, T Poly>
class ReflectedCrc {
 public:
  ReflectedCrc() {
    for (unsigned i = 0; i < 256; ++i) {
      T c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ Poly : c >> 1;
      table_[0][i] = c;
    }
    for (unsigned i = 0; i < 256; ++i) {
      for (int k = 1; k < 8; ++k) {
        table_[k][i] = (table_[k - 1][i] >> 8) ^ table_[0][table_[k - 1][i] & 0xff];
      }
    }
  }

  T update(T previous, std::string_view data) const {
    T s = ~previous;
    auto* p = reinterpret_cast<const unsigned char*>(data.data());
    size_t n = data.size();
    while (n >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);  // little-endian hosts (x86-64, arm64)
      w ^= static_cast<uint64_t>(s);
      T next = table_[7][w & 0xff] ^ table_[6][(w >> 8) & 0xff] ^ table_[5][(w >> 16) & 0xff] ^
               table_[4][(w >> 24) & 0xff] ^ table_[3][(w >> 32) & 0xff] ^
               table_[2][(w >> 40) & 0xff] ^ table_[1][(w >> 48) & 0xff] ^ table_[0][w >> 56];
      s = next;
      p += 8;
      n -= 8;
    }
    while (n--) s = table_[0][(s ^ *p++) & 0xff] ^ (s >> 8);
    return ~s;
  }

 private:
  std::array<std::array<T, 256>, 8> table_{};
};

template <typename T>
std::string bigEndian(T v) {
  std::string out(sizeof(T), '\0');
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[sizeof(T) - 1 - i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return out;
}

std::string evpDigest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return std::string(s);
}

}  // namespace

std::optional<ChecksumAlgorithm> parseChecksumAlgorithm(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  for (auto a : kChecksumAlgorithms) {
    if (checksumName(a) == upper) return a;
  }
  return std::nullopt;
}

std::string_view checksumName(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::CRC32:
      return "CRC32";
    case ChecksumAlgorithm::CRC32C:
      return "CRC32C";
    case ChecksumAlgorithm::CRC64NVME:
      return "CRC64NVME";
    case ChecksumAlgorithm::SHA1:
      return "SHA1";
    case ChecksumAlgorithm::SHA256:
      return "SHA256";
  }
  return "";
}

std::string checksumMember(ChecksumAlgorithm a) {
  return "Checksum" + std::string(checksumName(a));
}

std::string checksumHeader(ChecksumAlgorithm a) {
  std::string lower(checksumName(a));
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return "x-amz-checksum-" + lower;
}

size_t checksumSize(ChecksumAlgorithm a) {
  switch (a) {
    case ChecksumAlgorithm::CRC32:
    case ChecksumAlgorithm::CRC32C:
      return 4;
    case ChecksumAlgorithm::CRC64NVME:
      return 8;
    case ChecksumAlgorithm::SHA1:
      return 20;
    case ChecksumAlgorithm::SHA256:
      return 32;
  }
  return 0;
}

uint32_t crc32(std::string_view data, uint32_t previous) {
  static const ReflectedCrc<uint32_t, 0xEDB88320u> kCrc;
  return kCrc.update(previous, data);
}

uint32_t crc32c(std::string_view data, uint32_t previous) {
  static const ReflectedCrc<uint32_t, 0x82F63B78u> kCrc;
  return kCrc.update(previous, data);
}

uint64_t crc64nvme(std::string_view data, uint64_t previous) {
  static const ReflectedCrc<uint64_t, 0x9A6C9329AC4BC9B5ull> kCrc;
  return kCrc.update(previous, data);
}

std::string checksumDigest(ChecksumAlgorithm a, std::string_view data) {
  switch (a) {
    case ChecksumAlgorithm::CRC32:
      return bigEndian(crc32(data));
    case ChecksumAlgorithm::CRC32C:
      return bigEndian(crc32c(data));
    case ChecksumAlgorithm::CRC64NVME:
      return bigEndian(crc64nvme(data));
    case ChecksumAlgorithm::SHA1:
      return evpDigest(EVP_sha1(), data);
    case ChecksumAlgorithm::SHA256:
      return evpDigest(EVP_sha256(), data);
  }
  return {};
}

std::string checksumBase64(ChecksumAlgorithm a, std::string_view data) {
  return base64Encode(checksumDigest(a, data));
}

IncrementalDigest::IncrementalDigest(ChecksumAlgorithm a) {
  const EVP_MD* md = a == ChecksumAlgorithm::SHA1     ? EVP_sha1()
                     : a == ChecksumAlgorithm::SHA256 ? EVP_sha256()
                                                      : nullptr;
  if (!md) {
    crc_ = a;
    return;
  }
  md_.reset(EVP_MD_CTX_new());
  EVP_DigestInit_ex(md_.get(), md, nullptr);
}

IncrementalDigest IncrementalDigest::md5() {
  IncrementalDigest d;
  d.md_.reset(EVP_MD_CTX_new());
  EVP_DigestInit_ex(d.md_.get(), EVP_md5(), nullptr);
  return d;
}

void IncrementalDigest::update(std::string_view data) {
  if (md_) {
    EVP_DigestUpdate(md_.get(), data.data(), data.size());
  } else if (crc_ == ChecksumAlgorithm::CRC32) {
    crcValue_ = crc32(data, static_cast<uint32_t>(crcValue_));
  } else if (crc_ == ChecksumAlgorithm::CRC32C) {
    crcValue_ = crc32c(data, static_cast<uint32_t>(crcValue_));
  } else {
    crcValue_ = crc64nvme(data, crcValue_);
  }
}

std::string IncrementalDigest::finish() {
  if (md_) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md_.get(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  }
  if (crc_ == ChecksumAlgorithm::CRC64NVME) return bigEndian(crcValue_);
  return bigEndian(static_cast<uint32_t>(crcValue_));
}

std::string md5Raw(std::string_view data) {
  return evpDigest(EVP_md5(), data);
}

std::string md5Hex(std::string_view data) {
  return hex(md5Raw(data));
}

std::string quotedEtag(std::string_view data) {
  return "\"" + md5Hex(data) + "\"";
}

std::string quotedEtagOfMd5(std::string_view raw) {
  return "\"" + hex(raw) + "\"";
}

std::string multipartEtag(const std::vector<std::string>& partEtags) {
  std::string raw;
  raw.reserve(partEtags.size() * 16);
  for (const auto& e : partEtags) {
    std::string h = unquote(e);
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
      raw += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
    }
  }
  return "\"" + md5Hex(raw) + "-" + std::to_string(partEtags.size()) + "\"";
}

std::optional<std::string> compositeChecksum(ChecksumAlgorithm a,
                                             const std::vector<std::string>& partChecksums) {
  std::string raw;
  for (const auto& c : partChecksums) {
    auto decoded = base64Decode(c);
    if (!decoded) return std::nullopt;
    raw += *decoded;
  }
  return checksumBase64(a, raw) + "-" + std::to_string(partChecksums.size());
}

}  // namespace sluice::services::s3
