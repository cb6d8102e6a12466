// The S3 store as the lake's object source (lake/object_snapshot.hpp): the
// current objects ListObjectsV2 shows, with the file each one's bytes are in,
// or the bytes themselves for small objects kept inline. Archived objects
// (GLACIER, DEEP_ARCHIVE not restored; Intelligent-Tiering archive tiers)
// are left out, as Athena and Glue skip them.
#pragma once

#include "lake/object_snapshot.hpp"
#include "services/s3/object_files.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

class S3LakeSource final : public lake::ObjectSource {
 public:
  S3LakeSource(S3Store& meta, const ObjectFiles& files) : meta_(meta), files_(files) {}

  Result<std::vector<lake::LakeObject>> list(const Scope& scope, const std::string& bucket,
                                             const std::string& prefix) override;
  Result<std::optional<lake::LakeObject>> reread(const Scope& scope, const std::string& bucket,
                                                 const std::string& key) override;

 private:
  // The object as the lake sees it; nullopt when it is not readable data.
  Result<std::optional<lake::LakeObject>> toLake(const ObjectRecord& o);
  S3Store& meta_;
  const ObjectFiles& files_;
};

}  // namespace sluice::services::s3
