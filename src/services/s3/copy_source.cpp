#include "services/s3/copy_source.hpp"

#include "core/encoding.hpp"
#include "services/s3/conditions.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

Result<CopySource> parseCopySource(std::string_view header) {
  std::string_view s = header;
  std::optional<std::string> versionId;
  if (auto q = s.find("?versionId="); q != std::string_view::npos) {
    versionId = percentDecode(s.substr(q + 11));
    s = s.substr(0, q);
  }
  std::string decoded = percentDecode(s);
  std::string_view d = decoded;
  if (!d.empty() && d.front() == '/') d.remove_prefix(1);
  auto slash = d.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= d.size()) {
    return errors::invalidArgument("Invalid copy source object key");
  }
  return CopySource{std::string(d.substr(0, slash)), std::string(d.substr(slash + 1)),
                    std::move(versionId)};
}

Result<ObjectRecord> S3Service::requireCopySource(const Json& in) {
  auto source = parseCopySource(str(in, "CopySource"));
  if (!source) return source.takeError();
  Json sourceIn = JsonObject{{"Key", source->key}};
  if (source->versionId) sourceIn.as_object()["VersionId"] = *source->versionId;
  auto src = requireObject(source->bucket, sourceIn);
  if (!src) return src.takeError();
  // Preconditions views these strings: they live until the check is done.
  auto ifMatch = optStr(in, "CopySourceIfMatch");
  auto ifNoneMatch = optStr(in, "CopySourceIfNoneMatch");
  Preconditions pre;
  if (ifMatch) pre.ifMatch = *ifMatch;
  if (ifNoneMatch) pre.ifNoneMatch = *ifNoneMatch;
  pre.ifModifiedSince = optTime(in, "CopySourceIfModifiedSince");
  pre.ifUnmodifiedSince = optTime(in, "CopySourceIfUnmodifiedSince");
  if (auto r = checkCopyPreconditions(pre, src->etag, src->lastModified); !r) return r.error();
  if (isArchived(*src)) {
    return archivedError(*src,
                         "The source object of the COPY action is not in the active tier and is "
                         "only stored in Amazon S3 Glacier.");
  }
  noteAccess(*src);  // Intelligent-Tiering: copying counts as an access
  return src;
}

}  // namespace sluice::services::s3
