// Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort,
// ListParts, ListMultipartUploads. Each part is its own file until Complete
// concatenates them into the object's one plain file.
#include "services/s3/checksums.hpp"
#include "services/s3/conditions.hpp"
#include "services/s3/copy_source.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/object_encryption.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"
#include "services/s3/spilled_upload.hpp"

namespace sluice::services::s3 {

namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr int64_t kMaxPartNumber = 10000;

std::optional<ChecksumAlgorithm> uploadAlgorithm(const UploadRecord& u) {
  auto* a = u.attrs.as_object().if_contains("ChecksumAlgorithm");
  if (!a || !a->is_string()) return std::nullopt;
  return parseChecksumAlgorithm(a->as_string());
}

std::string uploadChecksumType(const UploadRecord& u) {
  auto* t = u.attrs.as_object().if_contains("ChecksumType");
  return t && t->is_string() ? std::string(t->as_string()) : std::string();
}

AwsError invalidPart() {
  return {"InvalidPart",
          "One or more of the specified parts could not be found.  The part may not have been "
          "uploaded, or the specified entity tag may not match the part's entity tag.",
          400};
}

Json owner(const std::string& account) {
  return JsonObject{{"DisplayName", "sluice"}, {"ID", account}};
}

}  // namespace

// The upload named by the input, checked against its bucket and key.
static Result<UploadRecord> findUpload(S3Store& meta, const Json& in) {
  auto u = meta.upload(str(in, "UploadId"));
  if (!u) return u.takeError();
  if (!*u || (*u)->bucket != str(in, "Bucket") || (*u)->key != str(in, "Key")) {
    return errors::noSuchUpload(str(in, "UploadId"));
  }
  return std::move(**u);
}

static Result<int64_t> partNumberOf(const Json& in) {
  auto n = optInt(in, "PartNumber");
  if (!n || *n < 1 || *n > kMaxPartNumber) {
    return errors::invalidArgument("Part number must be an integer between 1 and 10000, inclusive");
  }
  return *n;
}

Result<Json> S3Service::createMultipartUpload(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket"), key = str(in, "Key");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  if (auto r = checkKey(key); !r) return r.error();
  std::string storageClass = optStr(in, "StorageClass").value_or("STANDARD");
  if (!isStorageClass(storageClass)) return errors::invalidStorageClass();
  auto encryption = encryptionOf(in, ctx.scope, bucketDefaultEncryption(b->config));
  if (!encryption) return encryption.takeError();
  UploadRecord u;
  u.uploadId = ObjectFiles::newId(ids_) + ObjectFiles::newId(ids_);
  u.bucket = bucket;
  u.key = key;
  u.initiated = clock_.now();
  u.attrs = contentAttrs(in);
  u.attrs.as_object()["Encryption"] = std::move(*encryption);
  u.attrs.as_object()["StorageClass"] = storageClass;
  if (auto header = optStr(in, "Tagging")) {
    auto tags = parseTaggingHeader(*header);
    if (!tags) return tags.takeError();
    if (!tags->as_object().empty()) u.attrs.as_object()["Tags"] = *tags;
  }
  JsonObject out{{"Bucket", bucket}, {"Key", key}, {"UploadId", u.uploadId}};
  describeEncryption(out, u.attrs, true);
  if (auto name = optStr(in, "ChecksumAlgorithm")) {
    auto alg = parseChecksumAlgorithm(*name);
    if (!alg) return errors::invalidRequest("Checksum algorithm provided is unsupported.");
    std::string type =
        optStr(in, "ChecksumType")
            .value_or(*alg == ChecksumAlgorithm::CRC64NVME ? "FULL_OBJECT" : "COMPOSITE");
    if (type != "COMPOSITE" && type != "FULL_OBJECT") {
      return errors::invalidRequest("Value for x-amz-checksum-type header is invalid.");
    }
    bool sha = *alg == ChecksumAlgorithm::SHA1 || *alg == ChecksumAlgorithm::SHA256;
    if ((type == "FULL_OBJECT" && sha) ||
        (type == "COMPOSITE" && *alg == ChecksumAlgorithm::CRC64NVME)) {
      return errors::invalidRequest("The " + std::string(checksumName(*alg)) +
                                    " checksum algorithm is not supported for checksum type " +
                                    type + ".");
    }
    u.attrs.as_object()["ChecksumAlgorithm"] = checksumName(*alg);
    u.attrs.as_object()["ChecksumType"] = type;
    out["ChecksumAlgorithm"] = checksumName(*alg);
    out["ChecksumType"] = type;
  }
  if (auto r = meta_->createUpload(u); !r) return r.error();
  return Json(std::move(out));
}

Result<Json> S3Service::uploadPart(const Json& in, const CallContext& ctx) {
  auto n = partNumberOf(in);
  if (!n) return n.takeError();
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto u = findUpload(*meta_, in);
  if (!u) return u.takeError();
  // An SSE-C upload's parts come with its key.
  if (auto r = checkCustomerKey(in, u->attrs); !r) return r.error();
  PartRecord p;
  p.uploadId = u->uploadId;
  p.partNumber = static_cast<int>(*n);
  p.fileId = ObjectFiles::newId(ids_);
  p.lastModified = clock_.now();
  std::optional<RecordedChecksum> checksum;
  if (auto* spilled = spilledBody(ctx)) {
    // A large body the HTTP door streamed to disk: renamed in, not copied.
    auto adopted =
        adoptSpilledBody(*files_, p.fileId, std::move(*spilled), in, uploadAlgorithm(*u));
    if (!adopted) return adopted.takeError();
    p.size = adopted->size;
    p.etag = std::move(adopted->etag);
    checksum = std::move(adopted->checksum);
  } else {
    std::string_view body = requestBody(in, ctx);
    auto checked = checkIntegrity(in, body, uploadAlgorithm(*u));
    if (!checked) return checked.takeError();
    checksum = std::move(*checked);
    p.size = body.size();
    p.etag = quotedEtag(body);
    if (auto r = files_->write(p.fileId, body); !r) return r.error();
  }
  if (checksum) p.checksum = checksum->value;
  auto put = meta_->putPart(p);
  if (!put) {
    files_->remove(p.fileId);
    return put.takeError();
  }
  removeFiles(*put);
  JsonObject out{{"ETag", p.etag}};
  if (checksum) out[checksumMember(checksum->algorithm)] = p.checksum;
  describeEncryption(out, u->attrs);
  return Json(std::move(out));
}

Result<Json> S3Service::uploadPartCopy(const Json& in, const CallContext&) {
  auto n = partNumberOf(in);
  if (!n) return n.takeError();
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto u = findUpload(*meta_, in);
  if (!u) return u.takeError();
  auto src = requireCopySource(in);
  if (!src) return src.takeError();
  uint64_t offset = 0, length = src->size;
  if (auto range = optStr(in, "CopySourceRange")) {
    auto parsed = parseRange(*range, src->size);
    if (!parsed || !*parsed || (*parsed)->last >= src->size) {
      return errors::invalidArgument(
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
          "last are the zero-based offsets of the first and last bytes to copy");
    }
    offset = (*parsed)->first;
    length = (*parsed)->length();
  }
  auto data = readBody(*src, offset, length);
  if (!data) return data.takeError();
  PartRecord p;
  p.uploadId = u->uploadId;
  p.partNumber = static_cast<int>(*n);
  p.fileId = ObjectFiles::newId(ids_);
  p.size = data->size();
  p.etag = quotedEtag(*data);
  p.lastModified = clock_.now();
  auto alg = uploadAlgorithm(*u);
  if (alg) p.checksum = checksumBase64(*alg, *data);
  if (auto r = files_->write(p.fileId, *data); !r) return r.error();
  auto put = meta_->putPart(p);
  if (!put) {
    files_->remove(p.fileId);
    return put.takeError();
  }
  removeFiles(*put);
  JsonObject result{{"ETag", p.etag}, {"LastModified", epoch(p.lastModified)}};
  if (alg) result[checksumMember(*alg)] = p.checksum;
  JsonObject out{{"CopyPartResult", std::move(result)}};
  if (src->versionId != "null") out["CopySourceVersionId"] = src->versionId;
  return Json(std::move(out));
}

Result<Json> S3Service::completeMultipartUpload(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket"), key = str(in, "Key");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  auto u = findUpload(*meta_, in);
  if (!u) return u.takeError();
  const Json* mpu = in.as_object().if_contains("MultipartUpload");
  const Json* given = mpu && mpu->is_object() ? mpu->as_object().if_contains("Parts") : nullptr;
  if (!given || !given->is_array() || given->as_array().empty()) {
    return errors::malformedXml();
  }
  auto stored = meta_->parts(u->uploadId);
  if (!stored) return stored.takeError();
  std::map<int, const PartRecord*> byNumber;
  for (const auto& p : *stored) byNumber[p.partNumber] = &p;
  auto alg = uploadAlgorithm(*u);
  std::vector<const PartRecord*> chosen;
  int64_t previous = 0;
  for (const Json& g : given->as_array()) {
    int64_t n = optInt(g, "PartNumber").value_or(0);
    if (n <= previous) {
      return AwsError{"InvalidPartOrder",
                      "The list of parts was not in ascending order. Parts must be ordered by part "
                      "number.",
                      400};
    }
    previous = n;
    auto it = byNumber.find(static_cast<int>(n));
    if (it == byNumber.end() || !etagMatches(str(g, "ETag"), it->second->etag)) {
      return invalidPart();
    }
    if (alg) {
      if (auto c = optStr(g, checksumMember(*alg)); c && *c != it->second->checksum) {
        return invalidPart();
      }
    }
    chosen.push_back(it->second);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i]->size < kMinPartSize) {
      return AwsError{"EntityTooSmall",
                      "Your proposed upload is smaller than the minimum allowed object size.", 400};
    }
  }
  ObjectRecord o;
  o.bucket = bucket;
  o.key = key;
  o.fileId = ObjectFiles::newId(ids_);
  o.lastModified = clock_.now();
  o.attrs = u->attrs;
  auto& attrs = o.attrs.as_object();
  o.storageClass = attrs.contains("StorageClass")
                       ? std::string(attrs.at("StorageClass").as_string())
                       : std::string("STANDARD");
  attrs.erase("StorageClass");
  std::vector<std::string> files, etags, checksums;
  JsonArray parts;
  for (const auto* p : chosen) {
    files.push_back(p->fileId);
    etags.push_back(p->etag);
    checksums.push_back(p->checksum);
    o.size += p->size;
    JsonObject part{{"Size", p->size}};
    if (!p->checksum.empty()) part["Checksum"] = p->checksum;
    parts.push_back(std::move(part));
  }
  attrs["Parts"] = std::move(parts);
  o.etag = multipartEtag(etags);
  if (auto r = files_->writeConcatenation(o.fileId, files); !r) return r.error();
  if (alg) {
    if (uploadChecksumType(*u) == "FULL_OBJECT") {
      auto data = readBody(o, 0, o.size);
      if (!data) return data.takeError();
      attrs["ChecksumValue"] = checksumBase64(*alg, *data);
    } else {
      auto composite = compositeChecksum(*alg, checksums);
      if (!composite) return invalidPart();
      attrs["ChecksumValue"] = *composite;
    }
  }
  Outgoing events;
  auto put =
      meta_->completeUpload(u->uploadId, o, newVersionId(),
                            createdHook("ObjectCreated:CompleteMultipartUpload", *b, ctx, events));
  if (!put) {
    files_->remove(o.fileId);
    return put.takeError();
  }
  removeFiles(put->orphans);
  o.versionId = put->versionId;
  deliver(std::move(events));
  JsonObject out{
      {"Location", "/" + bucket + "/" + key}, {"Bucket", bucket}, {"Key", key}, {"ETag", o.etag}};
  if (o.versionId != "null") out["VersionId"] = o.versionId;
  if (auto expiration = expirationOf(o)) out["Expiration"] = *expiration;
  describeChecksum(out, o);
  describeEncryption(out, u->attrs);
  return Json(std::move(out));
}

Result<Json> S3Service::abortMultipartUpload(const Json& in, const CallContext&) {
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto u = findUpload(*meta_, in);
  if (!u) return u.takeError();
  auto r = meta_->abortUpload(u->uploadId);
  if (!r) return r.takeError();
  removeFiles(*r);
  return Json(JsonObject{});
}

Result<Json> S3Service::listParts(const Json& in, const CallContext& ctx) {
  if (auto b = requireBucket(str(in, "Bucket")); !b) return b.takeError();
  auto u = findUpload(*meta_, in);
  if (!u) return u.takeError();
  auto parts = meta_->parts(u->uploadId);
  if (!parts) return parts.takeError();
  int64_t marker = optInt(in, "PartNumberMarker").value_or(0);
  int64_t max = std::clamp<int64_t>(optInt(in, "MaxParts").value_or(1000), 0, 1000);
  auto alg = uploadAlgorithm(*u);
  JsonArray shown;
  bool truncated = false;
  int64_t next = 0;
  for (const auto& p : *parts) {
    if (p.partNumber <= marker) continue;
    if (static_cast<int64_t>(shown.size()) == max) {
      truncated = true;
      break;
    }
    JsonObject e{{"PartNumber", p.partNumber},
                 {"LastModified", epoch(p.lastModified)},
                 {"ETag", p.etag},
                 {"Size", p.size}};
    if (alg && !p.checksum.empty()) e[checksumMember(*alg)] = p.checksum;
    shown.push_back(std::move(e));
    next = p.partNumber;
  }
  JsonObject out{{"Bucket", u->bucket},
                 {"Key", u->key},
                 {"UploadId", u->uploadId},
                 {"PartNumberMarker", marker},
                 {"MaxParts", max},
                 {"IsTruncated", truncated},
                 {"Initiator", owner(ctx.scope.account)},
                 {"Owner", owner(ctx.scope.account)},
                 {"StorageClass", u->attrs.as_object().at("StorageClass")}};
  if (next) out["NextPartNumberMarker"] = next;
  if (!shown.empty()) out["Parts"] = std::move(shown);
  if (alg) {
    out["ChecksumAlgorithm"] = checksumName(*alg);
    out["ChecksumType"] = uploadChecksumType(*u);
  }
  return Json(std::move(out));
}

Result<Json> S3Service::listMultipartUploads(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket");
  if (auto b = requireBucket(bucket); !b) return b.takeError();
  auto all = meta_->uploads(bucket);
  if (!all) return all.takeError();
  std::string prefix = str(in, "Prefix"), delimiter = str(in, "Delimiter");
  std::string keyMarker = str(in, "KeyMarker"), idMarker = str(in, "UploadIdMarker");
  int64_t max = std::clamp<int64_t>(optInt(in, "MaxUploads").value_or(1000), 0, 1000);
  JsonArray uploads, prefixes;
  std::string lastPrefix, nextKey, nextId;
  bool truncated = false;
  int64_t count = 0;
  for (const auto& u : *all) {
    if (!u.key.starts_with(prefix)) continue;
    if (!keyMarker.empty()) {
      if (u.key < keyMarker) continue;
      if (u.key == keyMarker && (idMarker.empty() || u.uploadId <= idMarker)) continue;
    }
    std::string cp;
    if (!delimiter.empty()) {
      auto pos = u.key.find(delimiter, prefix.size());
      if (pos != std::string::npos) cp = u.key.substr(0, pos + delimiter.size());
    }
    if (!cp.empty() && cp == lastPrefix) continue;
    if (count == max) {
      truncated = true;
      break;
    }
    ++count;
    if (!cp.empty()) {
      lastPrefix = cp;
      prefixes.push_back(JsonObject{{"Prefix", cp}});
      nextKey = cp;
      nextId.clear();
      continue;
    }
    JsonObject e{{"UploadId", u.uploadId},
                 {"Key", u.key},
                 {"Initiated", epoch(u.initiated)},
                 {"StorageClass", u.attrs.as_object().at("StorageClass")},
                 {"Owner", owner(ctx.scope.account)},
                 {"Initiator", owner(ctx.scope.account)}};
    if (auto* a = u.attrs.as_object().if_contains("ChecksumAlgorithm")) e["ChecksumAlgorithm"] = *a;
    uploads.push_back(std::move(e));
    nextKey = u.key;
    nextId = u.uploadId;
  }
  JsonObject out{{"Bucket", bucket},
                 {"KeyMarker", keyMarker},
                 {"UploadIdMarker", idMarker},
                 {"MaxUploads", max},
                 {"IsTruncated", truncated}};
  if (!prefix.empty()) out["Prefix"] = prefix;
  if (!delimiter.empty()) out["Delimiter"] = delimiter;
  if (!uploads.empty()) out["Uploads"] = std::move(uploads);
  if (!prefixes.empty()) out["CommonPrefixes"] = std::move(prefixes);
  if (truncated) {
    out["NextKeyMarker"] = nextKey;
    out["NextUploadIdMarker"] = nextId;
  }
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
