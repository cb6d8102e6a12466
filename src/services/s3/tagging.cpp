// Object and bucket tagging.
#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

Result<Json> S3Service::putObjectTagging(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto obj = requireObject(bucket, in);
  if (!obj) return obj.takeError();
  const Json* tagging = in.as_object().if_contains("Tagging");
  if (!tagging) return errors::malformedXml();
  auto tags = tagsFromTagSet(*tagging, 10);
  if (!tags) return tags.takeError();
  Json attrs = obj->attrs;
  attrs.as_object()["Tags"] = std::move(*tags);
  if (auto r = meta_->setObjectAttrs(bucket, obj->key, obj->versionId, attrs); !r) {
    return r.error();
  }
  JsonObject out;
  if (obj->versionId != "null") out["VersionId"] = obj->versionId;
  return Json(std::move(out));
}

Result<Json> S3Service::getObjectTagging(const Json& in, const CallContext&) {
  auto obj = requireObject(str(in, "Bucket"), in);
  if (!obj) return obj.takeError();
  const Json* tags = obj->attrs.as_object().if_contains("Tags");
  JsonObject out{{"TagSet", tagSet(tags ? *tags : Json(JsonObject{}))}};
  if (obj->versionId != "null") out["VersionId"] = obj->versionId;
  return Json(std::move(out));
}

Result<Json> S3Service::deleteObjectTagging(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  auto obj = requireObject(bucket, in);
  if (!obj) return obj.takeError();
  Json attrs = obj->attrs;
  attrs.as_object().erase("Tags");
  if (auto r = meta_->setObjectAttrs(bucket, obj->key, obj->versionId, attrs); !r) {
    return r.error();
  }
  JsonObject out;
  if (obj->versionId != "null") out["VersionId"] = obj->versionId;
  return Json(std::move(out));
}

Result<Json> S3Service::putBucketTagging(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  const Json* tagging = in.as_object().if_contains("Tagging");
  if (!tagging) return errors::malformedXml();
  auto tags = tagsFromTagSet(*tagging, 50);
  if (!tags) return tags.takeError();
  if (auto r = meta_->setBucketConfig(bucket, "Tags", *tags); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> S3Service::getBucketTagging(const Json& in, const CallContext&) {
  auto b = requireBucket(str(in, "Bucket"));
  if (!b) return b.takeError();
  const Json* tags = b->config.as_object().if_contains("Tags");
  if (!tags || !tags->is_object() || tags->as_object().empty()) return errors::noSuchTagSet();
  return Json(JsonObject{{"TagSet", tagSet(*tags)}});
}

Result<Json> S3Service::deleteBucketTagging(const Json& in, const CallContext&) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  if (auto r = meta_->setBucketConfig(bucket, "Tags", nullptr); !r) return r.error();
  return Json(JsonObject{});
}

}  // namespace sluice::services::s3
