// S3's aws-chunked body encoding (Content-Encoding: aws-chunked), used by
// SDK uploads that stream a checksum in a trailer or sign every chunk:
//
//   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer name>:<value>\r\n]... [x-amz-trailer-signature:<sig>\r\n] \r\n
//
// The x-amz-content-sha256 value says which variant it is:
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER          no signatures, trailer
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD          a signature per chunk
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  both, plus a trailer signature
//
// One incremental decoder serves both the in-memory path (decodeAwsChunked)
// and a body streamed to disk as it arrives (the HTTP server feeds it slices).
// A streamed body is decoded before the request's signature is verified, so
// the decoder records each chunk's SHA-256 and signature, and the chain is
// checked afterwards (verifyAwsChunkedSignatures).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "gateway/sigv4.hpp"

namespace sluice::gateway {

struct AwsChunkedOptions {
  bool signedChunks = false;
  bool trailer = false;
  // When set (the request's signature was verified), chunk and trailer
  // signatures are checked against it; otherwise they are skipped.
  const SigV4Verified* verified = nullptr;
};

// The variant named by an x-amz-content-sha256 value; nullopt when it does
// not name an aws-chunked payload.
std::optional<AwsChunkedOptions> awsChunkedVariant(std::string_view contentSha256);
// Whether a request's body is aws-chunked: its x-amz-content-sha256 names a
// variant, or its Content-Encoding lists aws-chunked (unsigned, no trailer).
std::optional<AwsChunkedOptions> awsChunkedFraming(std::string_view contentSha256,
                                                   std::string_view contentEncoding);

// What a decoded body carried besides its data.
struct AwsChunkedResult {
  // Trailing headers, lower-case names, in the order sent.
  std::vector<std::pair<std::string, std::string>> trailers;
  uint64_t decodedBytes = 0;
  // Recorded when the decoder hashes chunks: each chunk's hex SHA-256 with the
  // chunk-signature sent for it (the final empty chunk included), and the
  // trailer's canonical text ("name:value\n"...) and x-amz-trailer-signature.
  std::vector<std::pair<std::string, std::string>> chunks;
  std::string canonicalTrailers;
  std::string trailerSignature;
};

class AwsChunkedDecoder {
 public:
  // Decoded data goes to the sink, in order, possibly in many pieces; a sink
  // error stops decoding and is returned by feed().
  using Sink = std::function<Result<void>(std::string_view)>;

  // `hashChunks`: keep each chunk's SHA-256 for verifyAwsChunkedSignatures.
  AwsChunkedDecoder(const AwsChunkedOptions& options, bool hashChunks, Sink sink);

  // Consumes the next bytes of the body. Framing errors are S3's:
  // IncompleteBody, InvalidArgument, SignatureDoesNotMatch (a signed variant
  // whose chunk carries no signature).
  Result<void> feed(std::string_view input);
  // The end of the body: IncompleteBody unless the final chunk came.
  Result<AwsChunkedResult> finish();

 private:
  enum class State { Header, Data, DataEnd, Trailers, Done };
  Result<void> onHeader(std::string_view line);
  Result<void> onTrailer(std::string_view line);
  // Takes bytes up to and including "\r\n" into line_; true when a line is complete.
  bool takeLine(std::string_view& input);

  AwsChunkedOptions options_;
  bool hashChunks_;
  Sink sink_;
  State state_ = State::Header;
  std::string line_;
  uint64_t remaining_ = 0;  // data bytes left in the current chunk (Data) or CRLF bytes (DataEnd)
  std::string signature_;   // of the current chunk
  std::optional<Sha256Stream> sha_;  // of the current chunk, when hashing
  AwsChunkedResult result_;
};

// Checks the chunk signatures (a chain seeded by the request's signature)
// and the trailer signature a hashing decoder recorded. SignatureDoesNotMatch
// when one differs or is missing.
Result<void> verifyAwsChunkedSignatures(const AwsChunkedResult& decoded,
                                        const AwsChunkedOptions& options,
                                        const SigV4Verified& verified);

// Decodes `body` in place (the data is moved down over the framing: no second
// buffer) and returns the trailing headers (lower-case names). Errors are
// S3's: IncompleteBody, InvalidArgument, SignatureDoesNotMatch.
Result<std::vector<std::pair<std::string, std::string>>> decodeAwsChunked(
    std::string& body, const AwsChunkedOptions& options);

}  // namespace sluice::gateway
