// PutObject and UploadPart for a body the HTTP door streamed to a spill file
// (Payload::requestFile): the file is checked where it lies and renamed into
// place as the object file, never read into memory or copied.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"
#include "services/operation.hpp"
#include "services/s3/checksums.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/object_files.hpp"
#include "store/spilled_body.hpp"

namespace sluice::services::s3 {

// What storing a request body produced.
struct StoredBody {
  uint64_t size = 0;
  std::string etag;  // quoted hex MD5
  std::optional<RecordedChecksum> checksum;
};

// The request's body when it arrived as a spill file, else null.
store::SpilledBody* spilledBody(const CallContext& ctx);

// Checks Content-MD5 and the checksums (as checkIntegrity) against the spill
// file and makes it object file `fileId`. The MD5, the checksum and the fsync
// each read the file on their own thread, side by side. On any refusal the
// spill file is removed and nothing is stored.
Result<StoredBody> adoptSpilledBody(ObjectFiles& files, std::string_view fileId,
                                    store::SpilledBody body, const Json& in,
                                    std::optional<ChecksumAlgorithm> fallback);

}  // namespace sluice::services::s3
