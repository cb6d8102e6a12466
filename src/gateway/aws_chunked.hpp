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
#pragma once

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

// Decodes `body` in place (the data is moved down over the framing: no second
// buffer) and returns the trailing headers (lower-case names). Errors are
// S3's: IncompleteBody, InvalidArgument, SignatureDoesNotMatch.
Result<std::vector<std::pair<std::string, std::string>>> decodeAwsChunked(
    std::string& body, const AwsChunkedOptions& options);

}  // namespace sluice::gateway
