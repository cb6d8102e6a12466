#include "core/digest.hpp"

#include <openssl/evp.h>

namespace sluice {

std::optional<std::string> hexDigest(std::string_view algorithm, std::string_view data) {
  const EVP_MD* md = algorithm == "MD5"       ? EVP_md5()
                     : algorithm == "SHA-1"   ? EVP_sha1()
                     : algorithm == "SHA-256" ? EVP_sha256()
                     : algorithm == "SHA-384" ? EVP_sha384()
                     : algorithm == "SHA-512" ? EVP_sha512()
                                              : nullptr;
  if (!md) return std::nullopt;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace sluice
