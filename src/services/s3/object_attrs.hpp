// What PutObject / CopyObject / CreateMultipartUpload record beside the bytes
// (ObjectRecord::attrs) and how reads report it back.
#pragma once

#include <functional>

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"
#include "services/s3/checksums.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

// The content headers and user metadata of a write request:
// ContentType (default binary/octet-stream), ContentEncoding,
// ContentDisposition, CacheControl, ContentLanguage, Expires, Metadata.
Json contentAttrs(const Json& in);
// Copies the content attributes from `from` into `to` (CopyObject COPY).
void copyContentAttrs(const Json& from, Json& to);

// Tags from an x-amz-tagging header value ("k1=v1&k2=v2", URL-encoded) as a
// {key: value} object; InvalidArgument / InvalidTag on bad input.
Result<Json> parseTaggingHeader(std::string_view header);
// Tags from a Tagging.TagSet input; checks S3's limits (10 tags on objects,
// 50 on buckets; keys 1-128 and values 0-256 characters; no duplicates).
Result<Json> tagsFromTagSet(const Json& tagging, size_t maxTags);
// {key: value} -> [{"Key", "Value"}].
Json tagSet(const Json& tags);

// A GLACIER or DEEP_ARCHIVE version without a restored copy, or an
// INTELLIGENT_TIERING one in an archive access tier: its bytes cannot be
// read (GET, CopyObject, UploadPartCopy) until RestoreObject.
bool isArchived(const ObjectRecord& o);
// The Intelligent-Tiering archive access tier an INTELLIGENT_TIERING version
// is in (attrs AccessTier: ARCHIVE_ACCESS / DEEP_ARCHIVE_ACCESS); "" for the
// frequent access tiers and every other class.
std::string accessTierOf(const ObjectRecord& o);
// When the version was last read (attrs LastAccess), else written.
TimePoint lastAccessOf(const ObjectRecord& o);
// InvalidObjectState for reading an archived version's bytes: `message`
// and <StorageClass>, plus <AccessTier> for Intelligent-Tiering.
AwsError archivedError(const ObjectRecord& o, std::string_view message);

// Checks Content-MD5 (InvalidDigest / BadDigest) and every x-amz-checksum-*
// member given (BadDigest) against `body`; returns the checksum to record:
// the algorithm asked for (ChecksumAlgorithm or a value given), else
// `fallback` (S3 records CRC64NVME when the client names none).
struct RecordedChecksum {
  ChecksumAlgorithm algorithm;
  std::string value;  // base64
};
Result<std::optional<RecordedChecksum>> checkIntegrity(const Json& in, std::string_view body,
                                                       std::optional<ChecksumAlgorithm> fallback);
// The same for a body that is not in memory: its digests come from these
// (a file read on demand, see spilled_upload.hpp).
struct BodyDigests {
  std::function<std::string()> md5Raw;
  std::function<std::string(ChecksumAlgorithm)> checksumBase64;
};
Result<std::optional<RecordedChecksum>> checkIntegrity(const Json& in, const BodyDigests& body,
                                                       std::optional<ChecksumAlgorithm> fallback);

// Adds the object's descriptive output members (GetObject / HeadObject):
// LastModified, ContentLength, ETag, VersionId, content headers, Metadata,
// StorageClass, TagCount, Restore, ArchiveStatus.
void describeObject(JsonObject& out, const ObjectRecord& o);
// Adds Checksum<ALG> and ChecksumType when the object has one.
void describeChecksum(JsonObject& out, const ObjectRecord& o);

// Known storage classes (InvalidStorageClass otherwise).
bool isStorageClass(std::string_view s);

}  // namespace sluice::services::s3
