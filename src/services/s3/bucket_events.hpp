// A bucket event: what happened to an object (created, removed, restored,
// expired, transitioned). S3 only says what happened; the bucket's
// notification configuration decides who hears it (notification_outbox.hpp:
// stored with the write that caused it, delivered to ARNs through the
// operation registry), so S3 never special-cases a destination.
#pragma once

#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/ids.hpp"

namespace sluice::services::s3 {

struct BucketEvent {
  // S3's event name without the "s3:" prefix: "ObjectCreated:Put",
  // "ObjectRemoved:DeleteMarkerCreated", "ObjectRestore:Completed", ...
  std::string name;
  Scope scope;
  std::string bucket;
  std::string key;
  uint64_t size = 0;
  std::string etag;  // unquoted; empty for removals
  std::string versionId;
  std::string sequencer;
  TimePoint time{};
  std::string requestId;
  std::string requester;  // principal id; "s3.amazonaws.com" for S3's own actions
  std::string storageClass;
  std::string restoreExpiry;  // ObjectRestore:Completed: the restored copy's expiry (ISO-8601)
};

}  // namespace sluice::services::s3
