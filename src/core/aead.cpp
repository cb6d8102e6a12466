#include "core/aead.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

namespace sluice {

namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string secureRandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return out;
}

std::string sealAes256Gcm(std::string_view key, std::string_view plaintext,
                          std::string_view associatedData) {
  return sealAes256Gcm(key, plaintext, associatedData, secureRandomBytes(kGcmNonceBytes));
}

std::string sealAes256Gcm(std::string_view key, std::string_view plaintext,
                          std::string_view associatedData, std::string_view nonce) {
  if (key.size() != kAes256KeyBytes || nonce.size() != kGcmNonceBytes) {
    throw std::invalid_argument("AES-256-GCM needs a 32-byte key and a 12-byte nonce");
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string out(nonce);
  out.resize(kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kGcmNonceBytes;
  int len = 0, total = 0;
  bool ok =
      ctx &&
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData),
                        static_cast<int>(associatedData.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), cipher + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagBytes),
                                 cipher + total) == 1;
  if (!ok) throw std::runtime_error("OpenSSL AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> openAes256Gcm(std::string_view key, std::string_view sealed,
                                         std::string_view associatedData) {
  if (key.size() != kAes256KeyBytes || sealed.size() < kGcmNonceBytes + kGcmTagBytes) {
    return std::nullopt;
  }
  std::string_view nonce = sealed.substr(0, kGcmNonceBytes);
  std::string_view cipher =
      sealed.substr(kGcmNonceBytes, sealed.size() - kGcmNonceBytes - kGcmTagBytes);
  std::string tag(sealed.substr(sealed.size() - kGcmTagBytes));
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::string plain(cipher.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  int len = 0;
  bool ok =
      ctx &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associatedData),
                        static_cast<int>(associatedData.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &len, bytes(cipher), static_cast<int>(cipher.size())) ==
          1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagBytes),
                          tag.data()) == 1;
  int tail = 0;
  // The tag is checked here: a mismatch makes the final step fail.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), out + len, &tail) == 1;
  if (!ok) return std::nullopt;
  return plain;
}

}  // namespace sluice
