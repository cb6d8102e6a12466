// Where a large request body goes while the HTTP server reads it: into a
// spill file in 1 MiB writes, aws-chunked framing decoded on the way (by the
// one decoder, aws_chunked.hpp), and hashed when signatures will be checked
// once the whole request is there. It knows nothing of sockets: the server
// reads into buffer(), says how much arrived, and calls finish() at the end.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "gateway/aws_chunked.hpp"
#include "gateway/sigv4.hpp"
#include "store/spilled_body.hpp"

namespace sluice::gateway {

// A large request body written to a file as it arrived, instead of
// HttpRequest::body.
struct StreamedBody {
  store::SpilledBody file;  // the decoded bytes
  // Set when the body was aws-chunked: what the framing carried (trailers,
  // and the chunk hashes for verifying chunk signatures).
  std::optional<AwsChunkedResult> chunked;
  // Hex SHA-256 of the body as sent, when it was asked for.
  std::string sha256;
};

class BodySpill {
 public:
  struct Options {
    // The body's aws-chunked variant, when it is aws-chunked.
    std::optional<AwsChunkedOptions> chunked;
    // Keep each chunk's SHA-256 (signed aws-chunked variants).
    bool hashChunks = false;
    // SHA-256 of the whole body (a plain body whose x-amz-content-sha256 is a hash).
    bool hashBody = false;
  };

  BodySpill(store::SpilledBody file, const Options& options);
  BodySpill(const BodySpill&) = delete;
  BodySpill& operator=(const BodySpill&) = delete;

  // Where the next bytes read should go (never empty).
  std::span<char> buffer();
  // `n` bytes were read into buffer(). A framing or disk error ends the body.
  Result<void> received(size_t n);
  // The body is complete: the file with every byte written, and what the
  // framing carried. IncompleteBody when aws-chunked framing was cut short.
  Result<StreamedBody> finish();

 private:
  // Decoded bytes go to the slice, which is written out when full.
  Result<void> put(std::string_view data);
  Result<void> flush();

  store::SpilledBody file_;
  std::vector<char> slice_;  // decoded bytes not yet written
  size_t filled_ = 0;
  std::vector<char> raw_;  // aws-chunked bytes as read
  std::optional<AwsChunkedDecoder> decoder_;
  std::optional<Sha256Stream> sha256_;
};

}  // namespace sluice::gateway
