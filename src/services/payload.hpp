// Streaming request and response bodies (S3's Body members) beside an
// operation's JSON. A 64 MiB object should be moved, not copied into a JSON
// string and back: the HTTP door moves the request body in here and takes
// the response body (an open file region, or bytes) out.
#pragma once

#include <optional>
#include <string>

#include "core/file_region.hpp"
#include "store/spilled_body.hpp"

namespace sluice::services {

struct Payload {
  // The request's streaming member, as raw bytes (already decoded from any
  // aws-chunked framing).
  std::string requestBody;
  // Instead of requestBody: a large body the HTTP door streamed to a spill
  // file. An operation that stores it adopts the file (renames it into
  // place); otherwise it is removed with the payload.
  std::optional<store::SpilledBody> requestFile;
  // What the operation answers for its streaming output member: a file
  // region, or bytes when it has no file to point at.
  std::optional<FileRegion> responseFile;
  std::string responseBody;
  // A status other than the operation's usual one (RestoreObject answers 202
  // when it starts a restore and 200 when the copy is already restored).
  int responseStatus = 0;
};

}  // namespace sluice::services
