#include "services/s3/lake_source.hpp"

namespace sluice::services::s3 {

namespace {

constexpr size_t kPage = 1000;

// Not readable data: archived (GLACIER, DEEP_ARCHIVE) and not restored, or
// in an Intelligent-Tiering archive tier (restore.cpp keeps that state).
bool archived(const ObjectRecord& o) {
  const JsonObject* a = o.attrs.is_object() ? &o.attrs.as_object() : nullptr;
  if (o.storageClass == "GLACIER" || o.storageClass == "DEEP_ARCHIVE") {
    return !(a && a->contains("RestoreExpiry"));
  }
  return o.storageClass == "INTELLIGENT_TIERING" && a && a->contains("AccessTier");
}

}  // namespace

Result<std::optional<lake::LakeObject>> S3LakeSource::toLake(const ObjectRecord& o) {
  if (o.deleteMarker || archived(o)) return std::optional<lake::LakeObject>();
  lake::LakeObject out;
  out.key = o.key;
  out.size = o.size;
  out.lastModified = o.lastModified;
  out.etag = o.etag;
  if (!o.fileId.empty()) {
    out.file = files_.path(o.fileId);
    return std::optional<lake::LakeObject>(std::move(out));
  }
  if (o.inlineBody) {
    out.bytes = *o.inlineBody;
    return std::optional<lake::LakeObject>(std::move(out));
  }
  // Small objects live in their row (read again if the listing left them out).
  auto current = meta_.latest(o.bucket, o.key);
  if (!current) return current.error();
  if (!*current || (*current)->deleteMarker) return std::optional<lake::LakeObject>();
  if (!(*current)->fileId.empty()) {
    out.file = files_.path((*current)->fileId);
  } else {
    out.bytes = (*current)->inlineBody.value_or(std::string());
  }
  out.size = (*current)->size;
  out.etag = (*current)->etag;
  return std::optional<lake::LakeObject>(std::move(out));
}

Result<std::vector<lake::LakeObject>> S3LakeSource::list(const Scope&, const std::string& bucket,
                                                         const std::string& prefix) {
  auto b = meta_.bucket(bucket);
  if (!b) return b.error();
  if (!*b) return AwsError{"NoSuchBucket", "The specified bucket does not exist: " + bucket, 404};
  std::vector<lake::LakeObject> out;
  std::string after;
  while (true) {
    auto page = meta_.listLatest(bucket, prefix, after, false, kPage, true);
    if (!page) return page.error();
    for (const ObjectRecord& o : *page) {
      auto lake = toLake(o);
      if (!lake) return lake.error();
      if (*lake) out.push_back(std::move(**lake));
    }
    if (page->size() < kPage) return out;
    after = page->back().key;
  }
}

Result<std::optional<lake::LakeObject>> S3LakeSource::reread(const Scope&,
                                                             const std::string& bucket,
                                                             const std::string& key) {
  auto current = meta_.latest(bucket, key);
  if (!current) return current.error();
  if (!*current) return std::optional<lake::LakeObject>();
  return toLake(**current);
}

}  // namespace sluice::services::s3
