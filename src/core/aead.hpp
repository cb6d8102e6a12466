// Authenticated encryption at rest: AES-256-GCM through OpenSSL EVP.
//
// A sealed value is nonce (12 bytes) || ciphertext || tag (16 bytes). The
// associated data (e.g. the name of what is encrypted) is authenticated but
// not stored: opening with other associated data, another key or altered
// bytes fails, so a value cannot be moved or edited undetected.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

inline constexpr std::size_t kAes256KeyBytes = 32;
inline constexpr std::size_t kGcmNonceBytes = 12;
inline constexpr std::size_t kGcmTagBytes = 16;

// Bytes from OpenSSL's CSPRNG (keys and nonces; not the injected IdGenerator,
// which is for reproducible identifiers). Throws std::runtime_error when the
// generator fails: there is no safe way to continue without randomness.
std::string secureRandomBytes(std::size_t n);

// Encrypts under a 32-byte key with a fresh random nonce.
std::string sealAes256Gcm(std::string_view key, std::string_view plaintext,
                          std::string_view associatedData);
// Same with a given 12-byte nonce (tests; never reuse a nonce under one key).
std::string sealAes256Gcm(std::string_view key, std::string_view plaintext,
                          std::string_view associatedData, std::string_view nonce);

// The plaintext, or nullopt when the key, the associated data or any byte of
// `sealed` is wrong (the tag does not verify).
std::optional<std::string> openAes256Gcm(std::string_view key, std::string_view sealed,
                                         std::string_view associatedData);

}  // namespace sluice
