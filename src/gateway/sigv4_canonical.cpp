// SigV4 building blocks: hashing, encoding, dates and the canonical request.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "gateway/sigv4.hpp"
#include "gateway/sigv4_internal.hpp"

namespace sluice::gateway {

namespace sigv4_detail {

std::string_view trim(std::string_view s) {
  auto isSpace = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

static char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lowerAscii(c);
  return out;
}

SplitTarget splitTarget(std::string_view target) {
  // Absolute form: drop "scheme://authority".
  if (auto scheme = target.find("://");
      scheme != std::string_view::npos && target.find('/') > scheme) {
    auto pathStart = target.find_first_of("/?", scheme + 3);
    target = pathStart == std::string_view::npos ? std::string_view() : target.substr(pathStart);
  }
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  SplitTarget out;
  auto q = target.find('?');
  if (q == std::string_view::npos) {
    out.path = target;
  } else {
    out.path = target.substr(0, q);
    out.query = target.substr(q + 1);
  }
  return out;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view rawQuery) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!rawQuery.empty()) {
    auto amp = rawQuery.find('&');
    std::string_view piece = rawQuery.substr(0, amp);
    rawQuery = amp == std::string_view::npos ? std::string_view() : rawQuery.substr(amp + 1);
    if (piece.empty()) continue;
    auto eq = piece.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percentDecode(piece), std::string());
    } else {
      out.emplace_back(percentDecode(piece.substr(0, eq)), percentDecode(piece.substr(eq + 1)));
    }
  }
  return out;
}

std::optional<std::string> queryParam(
    const std::vector<std::pair<std::string, std::string>>& params, std::string_view name) {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::optional<std::string_view> header(const HttpRequestView& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> splitCredential(std::string_view credential) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    auto slash = credential.find('/', start);
    parts.emplace_back(credential.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5) return std::nullopt;
  return parts;
}

std::string bytesText(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

bool isHexSha256(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return hexValue(c) >= 0; });
}

}  // namespace sigv4_detail

using namespace sigv4_detail;

// --- crypto -----------------------------------------------------------------

std::string hexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xF]);
  }
  return out;
}

std::string sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
}

void Sha256Stream::update(std::string_view data) {
  EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
}

std::string Sha256Stream::finishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_.get(), digest, &len);
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  return hexEncode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string deriveSigningKey(std::string_view secretAccessKey, std::string_view date,
                             std::string_view region, std::string_view service) {
  std::string kSecret = "AWS4";
  kSecret.append(secretAccessKey);
  std::string kDate = hmacSha256(kSecret, date);
  std::string kRegion = hmacSha256(kDate, region);
  std::string kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, "aws4_request");
}

bool signaturesEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// --- dates --------------------------------------------------------------------

namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<TimePoint> makeTime(int year, int month, int day, int hour, int minute, int second) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      hour < 0 || minute < 0 || second < 0) {
    return std::nullopt;
  }
  int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second;
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::seconds(secs)));
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string formatAmzDate(TimePoint t) {
  int64_t us = t.time_since_epoch().count();
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<TimePoint> parseAmzDate(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 9, 2, h) ||
      !digits(s, 11, 2, mi) || !digits(s, 13, 2, se)) {
    return std::nullopt;
  }
  return makeTime(y, mo, d, h, mi, se);
}

std::optional<TimePoint> parseHttpDate(std::string_view s) {
  s = trim(s);
  if (auto basic = parseAmzDate(s)) return basic;
  // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT", or with a numeric zone as
  // RFC 2822 allows ("+0000": SigV2 clients and AWS's own examples send it).
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto comma = s.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view rest = s.substr(comma + 2);
  int d, y, h, mi, se, zh = 0, zm = 0;
  if (rest.size() < 24 || !digits(rest, 0, 2, d) || rest[2] != ' ' || rest[6] != ' ' ||
      !digits(rest, 7, 4, y) || rest[11] != ' ' || !digits(rest, 12, 2, h) || rest[14] != ':' ||
      !digits(rest, 15, 2, mi) || rest[17] != ':' || !digits(rest, 18, 2, se)) {
    return std::nullopt;
  }
  std::string_view zone = rest.substr(20);
  int sign = 0;
  if (zone.size() == 6 && zone[0] == ' ' && (zone[1] == '+' || zone[1] == '-') &&
      digits(zone, 2, 2, zh) && digits(zone, 4, 2, zm)) {
    sign = zone[1] == '+' ? 1 : -1;
  } else if (zone != " GMT") {
    return std::nullopt;
  }
  std::string_view mon = rest.substr(3, 3);
  for (int m = 0; m < 12; ++m) {
    if (kMonths[m] != mon) continue;
    auto t = makeTime(y, m + 1, d, h, mi, se);
    if (t) *t -= sign * (std::chrono::hours(zh) + std::chrono::minutes(zm));
    return t;
  }
  return std::nullopt;
}

// --- canonical request --------------------------------------------------------

std::string uriEncode(std::string_view text, bool keepSlash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keepSlash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 0xF]);
    }
  }
  return out;
}

namespace {

// RFC 3986 dot-segment removal plus the collapse of empty segments that AWS
// applies (as botocore's remove_dot_segments does).
std::string normalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string_view seg = path.substr(start, slash - start);
    if (!seg.empty() && seg != ".") {
      if (seg == "..") {
        if (!out.empty()) out.pop_back();
      } else {
        out.push_back(seg);
      }
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string result;
  if (path.front() == '/') result.push_back('/');
  for (size_t i = 0; i < out.size(); ++i) {
    if (i) result.push_back('/');
    result.append(out[i]);
  }
  if (path.back() == '/' && !out.empty()) result.push_back('/');
  return result;
}

}  // namespace

std::string canonicalUri(std::string_view rawPath, bool s3) {
  if (rawPath.empty()) return "/";
  if (s3) return std::string(rawPath);
  std::string normalized = normalizePath(rawPath);
  if (normalized.empty()) return std::string(1, '/');
  return uriEncode(normalized, /*keepSlash=*/true);
}

std::string canonicalQueryString(std::string_view rawQuery, bool presigned) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (auto& [name, value] : parseQuery(rawQuery)) {
    if (presigned && name == "X-Amz-Signature") continue;
    encoded.emplace_back(uriEncode(name, false), uriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

namespace {

// Trimall: leading/trailing whitespace removed, inner runs collapsed to one space.
void appendTrimmedValue(std::string& out, std::string_view value) {
  value = trim(value);
  bool inSpace = false;
  for (char c : value) {
    bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
    if (space) {
      inSpace = true;
      continue;
    }
    if (inSpace) out.push_back(' ');
    inSpace = false;
    out.push_back(c);
  }
}

}  // namespace

std::string canonicalRequest(const HttpRequestView& request, std::string_view signedHeaders,
                             std::string_view payloadHash, bool s3, bool presigned) {
  SplitTarget target = splitTarget(request.target);
  std::string out;
  out.reserve(256 + request.target.size());
  out.append(request.method).push_back('\n');
  out.append(canonicalUri(target.path, s3)).push_back('\n');
  out.append(canonicalQueryString(target.query, presigned)).push_back('\n');
  // Canonical headers, in the order of SignedHeaders (which clients sort).
  size_t start = 0;
  while (start <= signedHeaders.size()) {
    auto semi = signedHeaders.find(';', start);
    std::string_view name = signedHeaders.substr(start, semi - start);
    if (!name.empty()) {
      out.append(toLower(name)).push_back(':');
      bool first = true;
      for (const auto& [k, v] : request.headers) {
        if (!iequals(k, name)) continue;
        if (!first) out.push_back(',');
        first = false;
        appendTrimmedValue(out, v);
      }
      out.push_back('\n');
    }
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  out.push_back('\n');
  out.append(signedHeaders).push_back('\n');
  out.append(payloadHash);
  return out;
}

std::string stringToSign(std::string_view amzDate, std::string_view scope,
                         std::string_view canonicalRequestText) {
  std::string out(kAlgorithm);
  out.push_back('\n');
  out.append(amzDate).push_back('\n');
  out.append(scope).push_back('\n');
  out.append(sha256Hex(canonicalRequestText));
  return out;
}

}  // namespace sluice::gateway
