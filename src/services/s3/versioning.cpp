// PutBucketVersioning / GetBucketVersioning. (ListObjectVersions is in
// listing.cpp; version-aware reads and deletes are in objects.cpp and the store.)
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

Result<Json> S3Service::putBucketVersioning(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  const Json* cfg = in.as_object().if_contains("VersioningConfiguration");
  std::string status = cfg && cfg->is_object() ? str(*cfg, "Status") : "";
  if (status != "Enabled" && status != "Suspended") return errors::malformedXml();
  if (auto r = meta_->setVersioning(bucket, status); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketVersioning(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  JsonObject out;
  // A bucket that never had versioning reports no Status at all.
  if (!b->versioning.empty()) out["Status"] = b->versioning;
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
