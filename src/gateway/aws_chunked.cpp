#include "gateway/aws_chunked.hpp"

#include <cstring>

namespace sluice::gateway {

namespace {

AwsError incomplete() {
  return {"IncompleteBody", "The request body terminated unexpectedly", 400};
}

AwsError badSignature() {
  return {"SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check "
          "your key and signing method.",
          403};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::optional<AwsChunkedOptions> awsChunkedVariant(std::string_view v) {
  AwsChunkedOptions o;
  if (v == "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
    o.trailer = true;
  } else if (v == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
    o.signedChunks = true;
  } else if (v == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
    o.signedChunks = true;
    o.trailer = true;
  } else {
    return std::nullopt;
  }
  return o;
}

Result<std::vector<std::pair<std::string, std::string>>> decodeAwsChunked(
    std::string& body, const AwsChunkedOptions& options) {
  const bool checkSignatures = options.signedChunks && options.verified;
  std::string previous = options.verified ? options.verified->signature : std::string();
  size_t r = 0, w = 0;
  const size_t n = body.size();
  auto readLine = [&](std::string_view& line) {
    auto end = body.find("\r\n", r);
    if (end == std::string::npos) return false;
    line = std::string_view(body).substr(r, end - r);
    r = end + 2;
    return true;
  };
  while (true) {
    std::string_view header;
    if (!readLine(header)) return incomplete();
    auto semi = header.find(';');
    std::string_view sizeText = trim(header.substr(0, semi));
    std::string_view signature;
    if (semi != std::string_view::npos) {
      std::string_view ext = trim(header.substr(semi + 1));
      constexpr std::string_view kSig = "chunk-signature=";
      if (ext.substr(0, kSig.size()) == kSig) signature = ext.substr(kSig.size());
    }
    if (sizeText.empty() || sizeText.size() > 15) {
      return AwsError{"InvalidArgument", "Invalid chunk size in aws-chunked body", 400};
    }
    size_t size = 0;
    for (char c : sizeText) {
      int digit = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
      if (digit < 0)
        return AwsError{"InvalidArgument", "Invalid chunk size in aws-chunked body", 400};
      size = size * 16 + static_cast<size_t>(digit);
    }
    if (options.signedChunks && signature.empty()) return badSignature();
    if (size > n - r) return incomplete();
    std::string_view data = std::string_view(body).substr(r, size);
    if (checkSignatures) {
      std::string expected = chunkSignature(options.verified->signing, previous, data);
      if (!signaturesEqual(expected, signature)) return badSignature();
      previous = std::move(expected);
    }
    if (size == 0) break;
    if (w != r) std::memmove(body.data() + w, body.data() + r, size);
    w += size;
    r += size;
    if (n - r < 2 || body.compare(r, 2, "\r\n") != 0) return incomplete();
    r += 2;
  }
  // Trailers until an empty line (or the end: some clients omit it).
  std::vector<std::pair<std::string, std::string>> trailers;
  std::string canonical;
  std::string_view trailerSignature;
  while (r < n) {
    std::string_view line;
    if (!readLine(line)) {
      line = std::string_view(body).substr(r);
      r = n;
    }
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return incomplete();
    std::string name = toLower(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    if (name == "x-amz-trailer-signature") {
      trailerSignature = value;
      continue;
    }
    canonical += name + ":" + std::string(value) + "\n";
    trailers.emplace_back(std::move(name), std::string(value));
  }
  if (checkSignatures && options.trailer) {
    if (trailerSignature.empty()) return badSignature();
    std::string expected =
        gateway::trailerSignature(options.verified->signing, previous, canonical);
    if (!signaturesEqual(expected, trailerSignature)) return badSignature();
  }
  body.resize(w);
  return trailers;
}

}  // namespace sluice::gateway
