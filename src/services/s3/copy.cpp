// CopyObject: a new object from an existing one, with its metadata copied or
// replaced (MetadataDirective) and its tags copied or replaced
// (TaggingDirective), under the x-amz-copy-source-if-* conditions.
#include "services/s3/conditions.hpp"
#include "services/s3/copy_source.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/object_encryption.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

Result<Json> S3Service::copyObject(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket"), key = str(in, "Key");
  auto source = parseCopySource(str(in, "CopySource"));
  if (!source) return source.takeError();
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  if (auto r = checkKey(key); !r) return r.error();
  auto src = requireCopySource(in);
  if (!src) return src.takeError();

  std::string metadataDirective = optStr(in, "MetadataDirective").value_or("COPY");
  std::string taggingDirective = optStr(in, "TaggingDirective").value_or("COPY");
  if (metadataDirective != "COPY" && metadataDirective != "REPLACE") {
    return errors::invalidArgument("Unknown metadata directive.");
  }
  if (taggingDirective != "COPY" && taggingDirective != "REPLACE") {
    return errors::invalidArgument("Unknown tagging directive.");
  }
  auto storageClass = optStr(in, "StorageClass");
  if (storageClass && !isStorageClass(*storageClass)) return errors::invalidStorageClass();
  if (auto r = checkCustomerKey(in, src->attrs, "CopySource"); !r) return r.error();
  auto encryption = encryptionOf(in, ctx.scope, bucketDefaultEncryption(b->config));
  if (!encryption) return encryption.takeError();
  if (source->bucket == bucket && source->key == key && metadataDirective == "COPY" &&
      !storageClass && !optStr(in, "ChecksumAlgorithm") && !source->versionId) {
    return errors::invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without "
        "changing the object's metadata, storage class, website redirect location or encryption "
        "attributes.");
  }

  ObjectRecord o;
  o.bucket = bucket;
  o.key = key;
  o.size = src->size;
  o.lastModified = clock_.now();
  o.storageClass = storageClass.value_or("STANDARD");
  if (metadataDirective == "REPLACE") {
    o.attrs = contentAttrs(in);
  } else {
    o.attrs = JsonObject{};
    copyContentAttrs(src->attrs, o.attrs);
  }
  o.attrs.as_object()["Encryption"] = std::move(*encryption);
  if (taggingDirective == "REPLACE") {
    auto tags = parseTaggingHeader(str(in, "Tagging"));
    if (!tags) return tags.takeError();
    if (!tags->as_object().empty()) o.attrs.as_object()["Tags"] = *tags;
  } else if (auto* t = src->attrs.as_object().if_contains("Tags")) {
    o.attrs.as_object()["Tags"] = *t;
  }

  // A copy is a new single-part object: its ETag and checksum are of the bytes.
  auto data = readBody(*src, 0, src->size);
  if (!data) return data.takeError();
  o.etag = quotedEtag(*data);
  std::optional<ChecksumAlgorithm> alg;
  if (auto name = optStr(in, "ChecksumAlgorithm")) {
    alg = parseChecksumAlgorithm(*name);
    if (!alg) return errors::invalidRequest("Checksum algorithm provided is unsupported.");
  } else if (auto* a = src->attrs.as_object().if_contains("ChecksumAlgorithm");
             a && a->is_string()) {
    alg = parseChecksumAlgorithm(a->as_string());
  }
  if (!alg) alg = ChecksumAlgorithm::CRC64NVME;
  o.attrs.as_object()["ChecksumAlgorithm"] = checksumName(*alg);
  o.attrs.as_object()["ChecksumValue"] = checksumBase64(*alg, *data);
  o.attrs.as_object()["ChecksumType"] = "FULL_OBJECT";
  if (auto r = storeBody(o, *data); !r) return r.error();

  Outgoing events;
  auto put =
      meta_->putObject(o, newVersionId(), createdHook("ObjectCreated:Copy", *b, ctx, events));
  if (!put) {
    files_->remove(o.fileId);
    return put.takeError();
  }
  removeFiles(put->orphans);
  o.versionId = put->versionId;
  deliver(std::move(events));
  JsonObject result{{"ETag", o.etag}, {"LastModified", epoch(o.lastModified)}};
  describeChecksum(result, o);
  result.erase("ChecksumType");
  JsonObject out{{"CopyObjectResult", std::move(result)}};
  if (o.versionId != "null") out["VersionId"] = o.versionId;
  if (src->versionId != "null") out["CopySourceVersionId"] = src->versionId;
  describeEncryption(out, o.attrs, true);
  if (auto expiration = expirationOf(o)) out["Expiration"] = *expiration;
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
