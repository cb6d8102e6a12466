// DeleteObjects: up to 1000 keys in one request, each deleted as DeleteObject
// would; per-key failures are reported, not fatal.
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

Result<Json> S3Service::deleteObjects(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  const Json* del = in.as_object().if_contains("Delete");
  const Json* objects = del && del->is_object() ? del->as_object().if_contains("Objects") : nullptr;
  if (!objects || !objects->is_array() || objects->as_array().empty() ||
      objects->as_array().size() > 1000) {
    return errors::malformedXml();
  }
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  bool quiet = flag(*del, "Quiet");
  JsonArray deleted, failed;
  for (const Json& o : objects->as_array()) {
    std::string key = str(o, "Key");
    auto versionId = optStr(o, "VersionId");
    JsonObject one{{"Bucket", bucket}, {"Key", key}};
    if (versionId) one["VersionId"] = *versionId;
    Result<Json> r = key.empty() ? Result<Json>(errors::invalidArgument("Invalid key"))
                                 : deleteObject(Json(one), ctx);
    if (!r) {
      failed.push_back(
          JsonObject{{"Key", key}, {"Code", r.error().code}, {"Message", r.error().message}});
      if (versionId) failed.back().as_object()["VersionId"] = *versionId;
      continue;
    }
    if (quiet) continue;
    JsonObject d{{"Key", key}};
    const auto& res = r->as_object();
    if (versionId) d["VersionId"] = *versionId;
    if (res.contains("DeleteMarker")) {
      d["DeleteMarker"] = true;
      if (!versionId && res.contains("VersionId")) d["DeleteMarkerVersionId"] = res.at("VersionId");
    }
    deleted.push_back(std::move(d));
  }
  JsonObject out;
  if (!deleted.empty()) out["Deleted"] = std::move(deleted);
  if (!failed.empty()) out["Errors"] = std::move(failed);
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
