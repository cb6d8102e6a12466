// PutObject, GetObject, HeadObject, DeleteObject, GetObjectAttributes.
#include <future>
#include <set>

#include "services/s3/checksums.hpp"
#include "services/s3/conditions.hpp"
#include "services/s3/object_attrs.hpp"
#include "services/s3/object_encryption.hpp"
#include "services/s3/s3_errors.hpp"
#include "services/s3/s3_input.hpp"
#include "services/s3/s3_service.hpp"
#include "services/s3/spilled_upload.hpp"

namespace sluice::services::s3 {

namespace {

Preconditions readPreconditions(const Json& in, std::string_view prefix,
                                std::optional<std::string>& ifMatch,
                                std::optional<std::string>& ifNoneMatch) {
  std::string p(prefix);
  ifMatch = optStr(in, p + "IfMatch");
  ifNoneMatch = optStr(in, p + "IfNoneMatch");
  Preconditions c;
  if (ifMatch) c.ifMatch = *ifMatch;
  if (ifNoneMatch) c.ifNoneMatch = *ifNoneMatch;
  c.ifModifiedSince = optTime(in, p + "IfModifiedSince");
  c.ifUnmodifiedSince = optTime(in, p + "IfUnmodifiedSince");
  return c;
}

// The byte range of part `n` of a multipart object.
std::optional<ByteRange> partRange(const ObjectRecord& o, int64_t n, size_t& count) {
  auto* parts = o.attrs.as_object().if_contains("Parts");
  if (!parts || !parts->is_array()) {
    count = 1;
    if (n != 1 || o.size == 0) return std::nullopt;
    return ByteRange{0, o.size - 1};
  }
  const auto& list = parts->as_array();
  count = list.size();
  uint64_t offset = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    uint64_t size = static_cast<uint64_t>(optInt(list[i], "Size").value_or(0));
    if (static_cast<int64_t>(i + 1) == n) {
      if (size == 0) return std::nullopt;
      return ByteRange{offset, offset + size - 1};
    }
    offset += size;
  }
  return std::nullopt;
}

}  // namespace

Result<Json> S3Service::putObject(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket"), key = str(in, "Key");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  if (auto r = checkKey(key); !r) return r.error();
  std::string storageClass = optStr(in, "StorageClass").value_or("STANDARD");
  if (!isStorageClass(storageClass)) return errors::invalidStorageClass();
  auto encryption = encryptionOf(in, ctx.scope, bucketDefaultEncryption(b->config));
  if (!encryption) return encryption.takeError();
  Json tags = JsonObject{};
  if (auto header = optStr(in, "Tagging")) {
    auto parsed = parseTaggingHeader(*header);
    if (!parsed) return parsed.takeError();
    tags = std::move(*parsed);
  }
  // Conditional writes: If-None-Match: * (create only) and If-Match.
  auto ifNoneMatch = optStr(in, "IfNoneMatch");
  auto ifMatch = optStr(in, "IfMatch");
  if (ifNoneMatch || ifMatch) {
    auto current = meta_->latest(bucket, key);
    if (!current) return current.takeError();
    bool exists = *current && !(*current)->deleteMarker;
    if (ifNoneMatch && exists) {
      return AwsError{"PreconditionFailed",
                      "At least one of the pre-conditions you specified did not hold", 412}
          .with("Condition", "If-None-Match");
    }
    if (ifMatch && !exists) return errors::noSuchKey(key);
    if (ifMatch && !etagMatches(*ifMatch, (*current)->etag)) {
      return AwsError{"PreconditionFailed",
                      "At least one of the pre-conditions you specified did not hold", 412}
          .with("Condition", "If-Match");
    }
  }
  ObjectRecord o;
  StoredBody stored;
  if (auto* spilled = spilledBody(ctx)) {
    // A large body the HTTP door streamed to disk: renamed in, not copied.
    o.fileId = ObjectFiles::newId(ids_);
    auto adopted =
        adoptSpilledBody(*files_, o.fileId, std::move(*spilled), in, ChecksumAlgorithm::CRC64NVME);
    if (!adopted) return adopted.takeError();
    stored = std::move(*adopted);
  } else {
    std::string_view body = requestBody(in, ctx);
    // A large body's MD5 (the ETag) and its file write run beside the checksum
    // work instead of one after the other; a refused body's file is removed.
    auto beside = body.size() > (1 << 20) ? std::launch::async : std::launch::deferred;
    auto etag = std::async(beside, [body] { return quotedEtag(body); });
    auto written = std::async(beside, [this, &o, body] { return storeBody(o, body); });
    auto checksum = checkIntegrity(in, body, ChecksumAlgorithm::CRC64NVME);
    if (!checksum) {
      if (beside == std::launch::async && written.get()) files_->remove(o.fileId);
      return checksum.takeError();
    }
    if (auto r = written.get(); !r) return r.error();
    stored = {body.size(), etag.get(), std::move(*checksum)};
  }
  const auto& checksum = stored.checksum;

  o.bucket = bucket;
  o.key = key;
  o.size = stored.size;
  o.etag = stored.etag;
  o.lastModified = clock_.now();
  o.storageClass = storageClass;
  o.attrs = contentAttrs(in);
  o.attrs.as_object()["Encryption"] = std::move(*encryption);
  if (!tags.as_object().empty()) o.attrs.as_object()["Tags"] = tags;
  if (checksum) {
    o.attrs.as_object()["ChecksumAlgorithm"] = checksumName(checksum->algorithm);
    o.attrs.as_object()["ChecksumValue"] = checksum->value;
    o.attrs.as_object()["ChecksumType"] = "FULL_OBJECT";
  }
  Outgoing events;
  auto put = meta_->putObject(o, newVersionId(), createdHook("ObjectCreated:Put", *b, ctx, events));
  if (!put) {
    files_->remove(o.fileId);
    return put.takeError();
  }
  removeFiles(put->orphans);
  o.versionId = put->versionId;
  deliver(std::move(events));
  JsonObject out{{"ETag", o.etag}, {"Size", o.size}};
  if (o.versionId != "null") out["VersionId"] = o.versionId;
  if (auto expiration = expirationOf(o)) out["Expiration"] = *expiration;
  describeChecksum(out, o);
  describeEncryption(out, o.attrs, true);
  return Json(std::move(out));
}

Result<Json> S3Service::getObject(const Json& in, const CallContext& ctx) {
  // The file may be replaced between reading the metadata and opening it (a
  // concurrent overwrite unlinks the old file): read the metadata again.
  for (int attempt = 0;; ++attempt) {
    auto obj = requireObject(str(in, "Bucket"), in);
    if (!obj) return obj.takeError();
    if (auto r = checkCustomerKey(in, obj->attrs); !r) return r.error();
    std::optional<std::string> ifMatch, ifNoneMatch;
    auto pre = readPreconditions(in, "", ifMatch, ifNoneMatch);
    if (auto r = checkReadPreconditions(pre, obj->etag, obj->lastModified); !r) return r.error();
    if (isArchived(*obj)) {
      return archivedError(*obj, accessTierOf(*obj).empty()
                                     ? "The operation is not valid for the object's storage class"
                                     : "The operation is not valid for the object's access tier");
    }
    noteAccess(*obj);  // Intelligent-Tiering: a GET is an access, a HEAD is not
    JsonObject out;
    describeObject(out, *obj);
    if (auto expiration = expirationOf(*obj)) out["Expiration"] = *expiration;
    std::optional<ByteRange> range;
    if (auto partNumber = optInt(in, "PartNumber")) {
      size_t count = 0;
      range = partRange(*obj, *partNumber, count);
      if (!range)
        return AwsError{"InvalidPartNumber", "The requested partnumber is not satisfiable", 416};
      out["PartsCount"] = count;
    } else if (auto header = optStr(in, "Range")) {
      auto parsed = parseRange(*header, obj->size);
      if (!parsed) return parsed.takeError();
      range = *parsed;
    }
    if (range) {
      out["ContentLength"] = range->length();
      out["ContentRange"] = "bytes " + std::to_string(range->first) + "-" +
                            std::to_string(range->last) + "/" + std::to_string(obj->size);
    } else if (str(in, "ChecksumMode") == "ENABLED") {
      describeChecksum(out, *obj);
    }
    // response-* query parameters override the stored headers.
    for (auto [from, to] : {std::pair{"ResponseContentType", "ContentType"},
                            {"ResponseContentLanguage", "ContentLanguage"},
                            {"ResponseContentDisposition", "ContentDisposition"},
                            {"ResponseContentEncoding", "ContentEncoding"},
                            {"ResponseCacheControl", "CacheControl"},
                            {"ResponseExpires", "Expires"}}) {
      if (std::string_view(from) == "ResponseExpires") {
        if (auto t = optTime(in, from)) out[to] = epoch(*t);
      } else if (auto v = optStr(in, from)) {
        out[to] = *v;
      }
    }
    uint64_t offset = range ? range->first : 0;
    uint64_t length = range ? range->length() : obj->size;
    if (obj->inlineBody || obj->size == 0 || !ctx.payload) {
      auto data = readBody(*obj, offset, length);
      if (!data) {
        if (data.error().code == "NoSuchFile" && attempt < 3) continue;
        return data.takeError();
      }
      if (ctx.payload)
        ctx.payload->responseBody = std::move(*data);
      else
        out["Body"] = std::move(*data);
      return Json(std::move(out));
    }
    auto fd = files_->open(obj->fileId);
    if (!fd) {
      if (fd.error().code == "NoSuchFile" && attempt < 3) continue;
      return fd.takeError();
    }
    ctx.payload->responseFile =
        FileRegion{std::make_shared<const UniqueFd>(std::move(*fd)), offset, length};
    return Json(std::move(out));
  }
}

Result<Json> S3Service::headObject(const Json& in, const CallContext&) {
  auto obj = requireObject(str(in, "Bucket"), in);
  if (!obj) return obj.takeError();
  if (auto r = checkCustomerKey(in, obj->attrs); !r) return r.error();
  std::optional<std::string> ifMatch, ifNoneMatch;
  auto pre = readPreconditions(in, "", ifMatch, ifNoneMatch);
  if (auto r = checkReadPreconditions(pre, obj->etag, obj->lastModified); !r) return r.error();
  JsonObject out;
  describeObject(out, *obj);
  if (auto expiration = expirationOf(*obj)) out["Expiration"] = *expiration;
  if (auto partNumber = optInt(in, "PartNumber")) {
    size_t count = 0;
    auto range = partRange(*obj, *partNumber, count);
    if (!range)
      return AwsError{"InvalidPartNumber", "The requested partnumber is not satisfiable", 416};
    out["PartsCount"] = count;
    out["ContentLength"] = range->length();
    out["ContentRange"] = "bytes " + std::to_string(range->first) + "-" +
                          std::to_string(range->last) + "/" + std::to_string(obj->size);
  } else if (auto header = optStr(in, "Range")) {
    auto parsed = parseRange(*header, obj->size);
    if (!parsed) return parsed.takeError();
    if (*parsed) {
      out["ContentLength"] = (*parsed)->length();
      out["ContentRange"] = "bytes " + std::to_string((*parsed)->first) + "-" +
                            std::to_string((*parsed)->last) + "/" + std::to_string(obj->size);
    }
  } else if (str(in, "ChecksumMode") == "ENABLED") {
    describeChecksum(out, *obj);
  }
  return Json(std::move(out));
}

Result<Json> S3Service::deleteObject(const Json& in, const CallContext& ctx) {
  std::string bucket = str(in, "Bucket"), key = str(in, "Key");
  auto versionId = optStr(in, "VersionId");
  auto b = requireBucket(bucket);
  if (!b) return b.takeError();
  Outgoing events;
  auto r = meta_->deleteObject(bucket, key, versionId, newVersionId(), clock_.now(),
                               removedHook(key, versionId.has_value(), *b, ctx, events));
  if (!r) return r.takeError();
  removeFiles(r->orphans);
  deliver(std::move(events));
  JsonObject out;
  if (r->deleteMarker) out["DeleteMarker"] = true;
  if (!r->versionId.empty() && (r->versionId != "null" || versionId)) {
    out["VersionId"] = r->versionId;
  }
  return Json(std::move(out));
}

Result<Json> S3Service::getObjectAttributes(const Json& in, const CallContext&) {
  auto obj = requireObject(str(in, "Bucket"), in);
  if (!obj) return obj.takeError();
  std::set<std::string> wanted;
  if (auto* list = in.as_object().if_contains("ObjectAttributes"); list && list->is_array()) {
    for (const auto& a : list->as_array()) {
      if (a.is_string()) wanted.insert(std::string(a.as_string()));
    }
  }
  if (wanted.empty()) {
    return errors::invalidArgument("Empty value provided for input x-amz-object-attributes");
  }
  JsonObject out;
  out["LastModified"] = epoch(obj->lastModified);
  if (obj->versionId != "null") out["VersionId"] = obj->versionId;
  if (wanted.count("ETag")) {
    std::string e = obj->etag;
    if (e.size() >= 2 && e.front() == '"') e = e.substr(1, e.size() - 2);
    out["ETag"] = e;
  }
  if (wanted.count("ObjectSize")) out["ObjectSize"] = obj->size;
  if (wanted.count("StorageClass")) out["StorageClass"] = obj->storageClass;
  if (wanted.count("Checksum")) {
    JsonObject c;
    describeChecksum(c, *obj);
    if (!c.empty()) out["Checksum"] = std::move(c);
  }
  auto* parts = obj->attrs.as_object().if_contains("Parts");
  if (wanted.count("ObjectParts") && parts && parts->is_array()) {
    const auto& list = parts->as_array();
    int64_t marker = optInt(in, "PartNumberMarker").value_or(0);
    int64_t max = optInt(in, "MaxParts").value_or(1000);
    std::string alg(obj->attrs.as_object().contains("ChecksumAlgorithm")
                        ? obj->attrs.as_object().at("ChecksumAlgorithm").as_string().c_str()
                        : "");
    JsonArray shown;
    int64_t next = marker;
    bool truncated = false;
    for (size_t i = static_cast<size_t>(std::max<int64_t>(marker, 0)); i < list.size(); ++i) {
      if (static_cast<int64_t>(shown.size()) == max) {
        truncated = true;
        break;
      }
      JsonObject p{{"PartNumber", i + 1}, {"Size", list[i].as_object().at("Size")}};
      if (auto* c = list[i].as_object().if_contains("Checksum"); c && !alg.empty()) {
        p["Checksum" + alg] = *c;
      }
      shown.push_back(std::move(p));
      next = static_cast<int64_t>(i + 1);
    }
    out["ObjectParts"] = JsonObject{{"TotalPartsCount", list.size()}, {"PartNumberMarker", marker},
                                    {"NextPartNumberMarker", next},   {"MaxParts", max},
                                    {"IsTruncated", truncated},       {"Parts", std::move(shown)}};
  }
  return Json(std::move(out));
}

}  // namespace sluice::services::s3
