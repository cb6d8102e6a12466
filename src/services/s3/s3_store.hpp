// S3 metadata in SQLite (component "s3"): buckets, object versions (the
// key -> file mapping), multipart uploads and their parts. Every write is one
// WriteQueue item (one transaction): a PUT's new version, the demotion of the
// previous one and the removal of a replaced "null" version commit together,
// and the files they orphan are returned for the caller to unlink after the
// commit. Reads come from the ReadPool and see committed state only.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services::s3 {

struct BucketRecord {
  std::string name;
  std::string region;
  std::string owner;  // account id
  TimePoint created{};
  std::string versioning;  // "", "Enabled", "Suspended"
  // Sub-resources as their operation's input JSON: "Tagging", "Lifecycle",
  // "Notification", ...
  Json config = JsonObject{};
};

struct ObjectRecord {
  std::string bucket;
  std::string key;
  std::string versionId = "null";
  int64_t seq = 0;  // newer versions have larger values
  bool latest = true;
  bool deleteMarker = false;
  // Where the bytes are: file `fileId` (object_files.hpp), or, for a small
  // object, `inlineBody` in the metadata row itself (fileId empty). Only
  // latest()/version() read inline bodies; listings leave them empty.
  std::string fileId;
  std::optional<std::string> inlineBody;
  uint64_t size = 0;
  std::string etag;  // quoted
  TimePoint lastModified{};
  std::string storageClass = "STANDARD";
  // ContentType, ContentEncoding, ContentDisposition, CacheControl,
  // ContentLanguage, Expires, Metadata{}, Tags{}, ChecksumAlgorithm,
  // ChecksumValue, ChecksumType, Parts[{Size, Checksum}], Restore{}.
  Json attrs = JsonObject{};
};

struct UploadRecord {
  std::string uploadId;
  std::string bucket;
  std::string key;
  TimePoint initiated{};
  Json attrs = JsonObject{};  // what CreateMultipartUpload was given
};

struct PartRecord {
  std::string uploadId;
  int partNumber = 0;
  std::string fileId;
  uint64_t size = 0;
  std::string etag;
  TimePoint lastModified{};
  std::string checksum;  // base64, of the upload's algorithm; may be empty
};

// What a write left behind: files no longer referenced (unlink after commit).
struct Orphans {
  std::vector<std::string> files;
};

struct PutResult {
  std::string versionId;  // the version written ("null" when unversioned)
  Orphans orphans;
};

struct DeleteResult {
  std::string versionId;      // the version removed or the marker created; empty: none
  bool deleteMarker = false;  // a marker was created, or the removed version was one
  Orphans orphans;
};

// One change a lifecycle pass decided on (lifecycle_plan.hpp), against the
// version the pass read.
struct LifecycleChange {
  enum class Kind {
    ExpireCurrent,  // delete `object` (the current version) as DeleteObject without a version
                    // id does; skipped when a newer version became current since the read
    RemoveVersion,  // remove version `object.versionId` (noncurrent, or a lone delete marker)
    Transition,     // move version `object.versionId` to `storageClass` with `attrs`
    AbortUpload,    // abort multipart upload `uploadId`
  };
  Kind kind = Kind::ExpireCurrent;
  ObjectRecord object;
  std::string newVersionId;  // ExpireCurrent: the delete marker's id in a versioned bucket
  std::string storageClass;  // Transition
  Json attrs;                // Transition
  std::string uploadId;      // AbortUpload
};

struct LifecycleOutcome {
  bool applied = false;  // false: skipped (gone or replaced meanwhile) or failed
  std::optional<AwsError> error;
  DeleteResult deleted;  // ExpireCurrent / RemoveVersion; orphans of every kind
};

// An Intelligent-Tiering archive move a daily pass decided on
// (tiering_rules.hpp), against the version as the pass read it.
struct TieringMove {
  ObjectRecord object;
  std::string accessTier;  // ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS
};

// A read of an INTELLIGENT_TIERING version (GET, copy source) at `at`.
struct AccessRecord {
  std::string bucket;
  std::string key;
  std::string versionId;
  TimePoint at{};
};

// Rows that must commit together with a write (its bucket events, in
// s3_pending): run inside the write's transaction once the write itself
// succeeded, given what it did; a failure rolls the whole write back. An
// empty hook costs nothing.
using PutHook = std::function<Result<void>(store::sqlite::Database&, const ObjectRecord& written)>;
using DeleteHook = std::function<Result<void>(store::sqlite::Database&, const DeleteResult&)>;
using WriteHook = std::function<Result<void>(store::sqlite::Database&)>;
using LifecycleHook =
    std::function<Result<void>(store::sqlite::Database&, const std::vector<LifecycleOutcome>&)>;
using TieringHook =
    std::function<Result<void>(store::sqlite::Database&, const std::vector<bool>& applied)>;

class S3Store {
 public:
  explicit S3Store(store::sqlite::SqliteStore& db) : db_(db) {}
  static std::span<const store::sqlite::Migration> migrations();
  store::sqlite::SqliteStore& store() { return db_; }

  // --- buckets
  Result<std::optional<BucketRecord>> bucket(std::string_view name);
  Result<std::vector<BucketRecord>> buckets();
  // Fails with BucketAlreadyOwnedByYou when it exists.
  Result<void> createBucket(const BucketRecord& b);
  // Fails with NoSuchBucket / BucketNotEmpty.
  Result<void> deleteBucket(std::string_view name);
  Result<void> setVersioning(std::string_view bucket, std::string_view status);
  // Sets (or with a null value removes) one sub-resource of the bucket's config.
  Result<void> setBucketConfig(std::string_view bucket, std::string_view name, const Json& value);
  // Read-modify-write of one sub-resource in ONE write item, so concurrent
  // updates of its parts (e.g. one Intelligent-Tiering configuration each)
  // never lose one another: `update` gets the current value (null when
  // unset) and returns the new one (null removes it) or an error, which is
  // returned unchanged. NoSuchBucket. (s3_store_tiering.cpp)
  Result<void> updateBucketConfig(std::string_view bucket, std::string_view name,
                                  const std::function<Result<Json>(const Json&)>& update);

  // --- objects
  // The current version (possibly a delete marker), or a given version.
  Result<std::optional<ObjectRecord>> latest(std::string_view bucket, std::string_view key);
  Result<std::optional<ObjectRecord>> version(std::string_view bucket, std::string_view key,
                                              std::string_view versionId);
  // Current, non-deleted objects with key > after (or >= from, when `inclusive`),
  // under `prefix`, in key order; `withBodies` also reads inline bodies.
  Result<std::vector<ObjectRecord>> listLatest(std::string_view bucket, std::string_view prefix,
                                               std::string_view bound, bool inclusive, size_t limit,
                                               bool withBodies = false);
  // Every version and marker, by key then newest first, after (key, seq):
  // seq 0 means "after every version of key"; -1 "from the key's newest".
  Result<std::vector<ObjectRecord>> listVersions(std::string_view bucket, std::string_view prefix,
                                                 std::string_view key, int64_t seqBelow,
                                                 bool inclusiveKey, size_t limit);
  // Writes `object` as the new current version, by the bucket's versioning
  // state: unversioned and suspended buckets replace the "null" version;
  // enabled ones add `newVersionId`.
  Result<PutResult> putObject(ObjectRecord object, const std::string& newVersionId,
                              const PutHook& also = {});
  // DeleteObject: without a version id, removes the current object or adds a
  // delete marker (versioned buckets); with one, removes that version.
  Result<DeleteResult> deleteObject(std::string_view bucket, std::string_view key,
                                    std::optional<std::string> versionId,
                                    const std::string& newVersionId, TimePoint now,
                                    const DeleteHook& also = {});
  // Replaces a version's attrs (tagging, restore status). NoSuchKey/NoSuchVersion.
  Result<void> setObjectAttrs(std::string_view bucket, std::string_view key,
                              std::string_view versionId, const Json& attrs,
                              const WriteHook& also = {});
  // A lifecycle transition: the version's new storage class and attrs.
  Result<void> setStorageClass(std::string_view bucket, std::string_view key,
                               std::string_view versionId, std::string_view storageClass,
                               const Json& attrs);
  // Applies a lifecycle pass's changes in ONE transaction, each inside its
  // own savepoint so a failing change rolls back alone. Outcomes are in
  // `changes` order; orphaned files are the caller's to unlink after return.
  Result<std::vector<LifecycleOutcome>> applyLifecycle(const std::vector<LifecycleChange>& changes,
                                                       TimePoint now,
                                                       const LifecycleHook& also = {});
  // Intelligent-Tiering archive moves in ONE transaction. A move applies
  // only to the version as the pass read it (still INTELLIGENT_TIERING, same
  // access tier, no access since): true per applied move, in order.
  // (s3_store_tiering.cpp)
  // `also` runs in that transaction with which moves applied (their events).
  Result<std::vector<bool>> applyTiering(const std::vector<TieringMove>& moves,
                                         const TieringHook& also = {});
  // Records reads as attrs LastAccess (epoch µs; only ever moved forward, only
  // on INTELLIGENT_TIERING versions) in ONE write item without waiting for
  // it; `done` runs on the writer thread once it is durable.
  void recordAccess(std::vector<AccessRecord> records, std::function<void(Result<void>)> done);
  // Versions with a restore in progress or a restored copy (attrs RestoreDue
  // or RestoreExpiry), to re-arm their timers at start-up.
  Result<std::vector<ObjectRecord>> restoring();

  // --- multipart
  Result<void> createUpload(const UploadRecord& u);
  Result<std::optional<UploadRecord>> upload(std::string_view uploadId);
  Result<std::vector<UploadRecord>> uploads(std::string_view bucket);
  Result<std::vector<PartRecord>> parts(std::string_view uploadId);
  // Adds or replaces a part; orphans the replaced part's file. NoSuchUpload.
  Result<Orphans> putPart(const PartRecord& p);
  // Removes the upload (NoSuchUpload if gone) and writes `object` as putObject
  // does, in one transaction; orphans every part file.
  Result<PutResult> completeUpload(std::string_view uploadId, ObjectRecord object,
                                   const std::string& newVersionId, const PutHook& also = {});
  Result<Orphans> abortUpload(std::string_view uploadId);

  // Every file id the metadata references (the start-up sweep).
  Result<std::set<std::string>> referencedFiles();

 private:
  store::sqlite::SqliteStore& db_;
};

}  // namespace sluice::services::s3
