#include "gateway/aws_chunked.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::gateway {

namespace {

// A chunk header or trailer line longer than this is not aws-chunked framing.
constexpr size_t kMaxLineBytes = 4096;

AwsError incomplete() {
  return {"IncompleteBody", "The request body terminated unexpectedly", 400};
}

AwsError badSize() {
  return {"InvalidArgument", "Invalid chunk size in aws-chunked body", 400};
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

std::optional<AwsChunkedOptions> awsChunkedFraming(std::string_view contentSha256,
                                                   std::string_view contentEncoding) {
  auto variant = awsChunkedVariant(contentSha256);
  if (!variant && contentEncoding.find("aws-chunked") != std::string_view::npos) {
    variant = AwsChunkedOptions{};
  }
  return variant;
}

AwsChunkedDecoder::AwsChunkedDecoder(const AwsChunkedOptions& options, bool hashChunks, Sink sink)
    : options_(options), hashChunks_(hashChunks && options.signedChunks), sink_(std::move(sink)) {
  if (hashChunks_) sha_.emplace();
}

bool AwsChunkedDecoder::takeLine(std::string_view& input) {
  auto nl = input.find('\n');
  size_t take = nl == std::string_view::npos ? input.size() : nl + 1;
  line_.append(input.substr(0, take));
  input.remove_prefix(take);
  return nl != std::string_view::npos;
}

Result<void> AwsChunkedDecoder::feed(std::string_view input) {
  while (!input.empty()) {
    switch (state_) {
      case State::Header:
      case State::Trailers: {
        bool complete = takeLine(input);
        if (line_.size() > kMaxLineBytes) return state_ == State::Header ? badSize() : incomplete();
        if (!complete) break;
        // A line ends with "\r\n"; a bare "\n" is not the framing.
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return incomplete();
        std::string line = std::move(line_);
        line_.clear();
        line.resize(line.size() - 2);
        auto r = state_ == State::Header ? onHeader(line) : onTrailer(line);
        if (!r) return r;
        break;
      }
      case State::Data: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
        std::string_view data = input.substr(0, take);
        if (sha_) sha_->update(data);
        if (auto r = sink_(data); !r) return r;
        result_.decodedBytes += take;
        remaining_ -= take;
        input.remove_prefix(take);
        if (remaining_ == 0) {
          if (sha_) result_.chunks.emplace_back(sha_->finishHex(), std::move(signature_));
          state_ = State::DataEnd;
          remaining_ = 2;
        }
        break;
      }
      case State::DataEnd: {
        char expected = remaining_ == 2 ? '\r' : '\n';
        if (input.front() != expected) return incomplete();
        input.remove_prefix(1);
        if (--remaining_ == 0) state_ = State::Header;
        break;
      }
      case State::Done:
        return {};  // anything after the trailers' empty line is ignored
    }
  }
  return {};
}

Result<void> AwsChunkedDecoder::onHeader(std::string_view header) {
  auto semi = header.find(';');
  std::string_view sizeText = trim(header.substr(0, semi));
  std::string_view signature;
  if (semi != std::string_view::npos) {
    std::string_view ext = trim(header.substr(semi + 1));
    constexpr std::string_view kSig = "chunk-signature=";
    if (ext.substr(0, kSig.size()) == kSig) signature = ext.substr(kSig.size());
  }
  if (sizeText.empty() || sizeText.size() > 15) return badSize();
  uint64_t size = 0;
  for (char c : sizeText) {
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) return badSize();
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  if (options_.signedChunks && signature.empty()) return badSignature();
  if (size == 0) {
    if (sha_) result_.chunks.emplace_back(sha_->finishHex(), std::string(signature));
    state_ = State::Trailers;
    return {};
  }
  signature_ = std::string(signature);
  remaining_ = size;
  state_ = State::Data;
  return {};
}

Result<void> AwsChunkedDecoder::onTrailer(std::string_view line) {
  if (line.empty()) {
    state_ = State::Done;
    return {};
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return incomplete();
  std::string name = toLower(trim(line.substr(0, colon)));
  std::string_view value = trim(line.substr(colon + 1));
  if (name == "x-amz-trailer-signature") {
    result_.trailerSignature = std::string(value);
    return {};
  }
  result_.canonicalTrailers += name + ":" + std::string(value) + "\n";
  result_.trailers.emplace_back(std::move(name), std::string(value));
  return {};
}

Result<AwsChunkedResult> AwsChunkedDecoder::finish() {
  if (state_ == State::Trailers && !line_.empty()) {
    // The last trailer without its line end: some clients omit it.
    std::string line = std::move(line_);
    line_.clear();
    if (line.ends_with('\r')) line.pop_back();
    if (auto r = onTrailer(line); !r) return r.error();
    state_ = State::Done;
  }
  if (state_ != State::Trailers && state_ != State::Done) return incomplete();
  return std::move(result_);
}

Result<void> verifyAwsChunkedSignatures(const AwsChunkedResult& decoded,
                                        const AwsChunkedOptions& options,
                                        const SigV4Verified& verified) {
  if (!options.signedChunks) return {};
  std::string previous = verified.signature;
  for (const auto& [sha256, provided] : decoded.chunks) {
    std::string expected = chunkSignatureFromHash(verified.signing, previous, sha256);
    if (!signaturesEqual(expected, provided)) return badSignature();
    previous = std::move(expected);
  }
  if (decoded.chunks.empty()) return badSignature();
  if (options.trailer) {
    if (decoded.trailerSignature.empty()) return badSignature();
    std::string expected = trailerSignature(verified.signing, previous, decoded.canonicalTrailers);
    if (!signaturesEqual(expected, decoded.trailerSignature)) return badSignature();
  }
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> decodeAwsChunked(
    std::string& body, const AwsChunkedOptions& options) {
  // The data is moved down over the framing already consumed: the write
  // position never passes the read position.
  size_t written = 0;
  AwsChunkedDecoder decoder(options, options.verified != nullptr,
                            [&](std::string_view data) -> Result<void> {
                              if (data.data() != body.data() + written) {
                                std::memmove(body.data() + written, data.data(), data.size());
                              }
                              written += data.size();
                              return {};
                            });
  if (auto r = decoder.feed(body); !r) return r.error();
  auto decoded = decoder.finish();
  if (!decoded) return decoded.takeError();
  if (options.verified) {
    if (auto r = verifyAwsChunkedSignatures(*decoded, options, *options.verified); !r) {
      return r.error();
    }
  }
  body.resize(written);
  return std::move(decoded->trailers);
}

}  // namespace sluice::gateway
