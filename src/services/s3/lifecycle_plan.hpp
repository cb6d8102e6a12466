// What one lifecycle pass does to one key, decided from a read of its
// versions (no I/O, so a pass can plan many keys and commit them together):
//   current versions    Expiration (deleted, or a delete marker when the
//                       bucket is versioned), else the coldest due Transition
//   delete markers      ExpiredObjectDeleteMarker removes a marker left alone
//   noncurrent versions NoncurrentVersionExpiration / Transitions, counted
//                       from when the next version replaced them, sparing
//                       the NewerNoncurrentVersions newest
//   multipart uploads   AbortIncompleteMultipartUpload
// Deletion wins over transition, as in S3.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "services/s3/lifecycle_rules.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

// Appends the changes due for one key's `versions` (newest first) to `out`.
// `newVersionId` names a delete marker an expiration would create.
void planKeyLifecycle(const BucketRecord& bucket, const std::vector<LifecycleRule>& rules,
                      const std::vector<ObjectRecord>& versions, TimePoint now,
                      const std::function<std::string()>& newVersionId,
                      std::vector<LifecycleChange>& out);

// Appends an AbortUpload for every upload an enabled rule aborts by `now`.
void planUploadLifecycle(const std::vector<LifecycleRule>& rules,
                         const std::vector<UploadRecord>& uploads, TimePoint now,
                         std::vector<LifecycleChange>& out);

// The bucket event a applied change publishes ("" for none), and the version
// it reports (a created delete marker's id, a transitioned version's new class).
struct LifecycleEvent {
  std::string name;
  ObjectRecord object;
};
LifecycleEvent lifecycleEventOf(const LifecycleChange& change, const LifecycleOutcome& outcome);

}  // namespace sluice::services::s3
