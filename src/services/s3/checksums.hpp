// Object integrity values as S3 computes them: the ETag (hex MD5, or for a
// multipart object the MD5 of the parts' binary MD5s followed by "-N"), and
// the flexible checksums (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256), each sent
// and returned as base64 of the big-endian digest.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::services::s3 {

enum class ChecksumAlgorithm { CRC32, CRC32C, CRC64NVME, SHA1, SHA256 };

inline constexpr ChecksumAlgorithm kChecksumAlgorithms[] = {
    ChecksumAlgorithm::CRC32, ChecksumAlgorithm::CRC32C, ChecksumAlgorithm::CRC64NVME,
    ChecksumAlgorithm::SHA1, ChecksumAlgorithm::SHA256};

// "CRC32" (any case) -> CRC32; nullopt for names S3 does not support here.
std::optional<ChecksumAlgorithm> parseChecksumAlgorithm(std::string_view name);
std::string_view checksumName(ChecksumAlgorithm a);  // "CRC32"
std::string checksumMember(ChecksumAlgorithm a);     // "ChecksumCRC32"
std::string checksumHeader(ChecksumAlgorithm a);     // "x-amz-checksum-crc32"
size_t checksumSize(ChecksumAlgorithm a);            // digest bytes

uint32_t crc32(std::string_view data, uint32_t previous = 0);
uint32_t crc32c(std::string_view data, uint32_t previous = 0);
uint64_t crc64nvme(std::string_view data, uint64_t previous = 0);

// Raw digest bytes of `data`.
std::string checksumDigest(ChecksumAlgorithm a, std::string_view data);
// base64 of the digest, as the x-amz-checksum-* headers carry it.
std::string checksumBase64(ChecksumAlgorithm a, std::string_view data);

// A digest taken over a body in pieces (a file read slice by slice): one of
// the flexible checksums, or MD5 for the ETag. Same values as the one-shot
// functions here.
class IncrementalDigest {
 public:
  explicit IncrementalDigest(ChecksumAlgorithm a);
  static IncrementalDigest md5();
  void update(std::string_view data);
  // The raw digest bytes (call once).
  std::string finish();

 private:
  IncrementalDigest() = default;
  std::optional<ChecksumAlgorithm> crc_;  // the CRCs keep a running value
  uint64_t crcValue_ = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md_{nullptr, &EVP_MD_CTX_free};
};

std::string md5Raw(std::string_view data);
std::string md5Hex(std::string_view data);
// "\"<hex md5>\"".
std::string quotedEtag(std::string_view data);
// The same from the raw MD5 digest.
std::string quotedEtagOfMd5(std::string_view md5Raw);
// The multipart ETag: "\"<hex md5 of the concatenated part MD5s>-<N>\"" from
// the parts' hex MD5s (quotes allowed).
std::string multipartEtag(const std::vector<std::string>& partEtags);
// The composite checksum of a multipart object: base64(digest(concatenated
// raw part digests)) + "-N", from the parts' base64 checksums. nullopt when a
// part's value is not valid base64.
std::optional<std::string> compositeChecksum(ChecksumAlgorithm a,
                                             const std::vector<std::string>& partChecksums);

}  // namespace sluice::services::s3
