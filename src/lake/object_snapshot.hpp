// What DuckDB reads when the lake reads `s3://bucket/prefix`: a snapshot of
// exactly the current objects ListObjectsV2 would show under the prefix,
// taken once per query, crawl or job run — the one code path every lake
// feature uses to reach object data.
//
// The S3 store keeps large objects as files named by id and small ones
// inline in SQLite, and overwrites or deletes can remove a file while a
// query runs. So a snapshot mirrors the keys as a private directory tree
// (<work>/<bucket>/<key>): file-backed objects are hard-linked (same file
// system, no copy; the link keeps the bytes alive whatever happens to the
// object meanwhile), inline ones are written out. DuckDB then globs
// `<root>/<bucket>/<prefix>**/*.parquet` with Hive partitions read from the
// folder names, as it would on S3. The directory goes with the snapshot.
//
// Keys that cannot be a path (folder markers ending in "/", empty or "."/".."
// segments) are left out and counted: S3 tools and crawlers skip them too.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"

namespace sluice::lake {

// One current object, as an object source hands it over: its bytes are in
// `file` (to be hard-linked) or in `bytes` (small objects).
struct LakeObject {
  std::string key;
  std::filesystem::path file;
  std::optional<std::string> bytes;
  uint64_t size = 0;
  TimePoint lastModified{};
  std::string etag;
};

// Lists current objects (the S3 service implements it over its store).
class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  // Every current, non-deleted object of `bucket` under `prefix`, in key
  // order. NoSuchBucket when the bucket does not exist.
  virtual Result<std::vector<LakeObject>> list(const Scope& scope, const std::string& bucket,
                                               const std::string& prefix) = 0;
  // The object again, when its file vanished between listing and linking
  // (overwritten meanwhile); nullopt when it is gone.
  virtual Result<std::optional<LakeObject>> reread(const Scope& scope, const std::string& bucket,
                                                   const std::string& key) = 0;
};

struct S3Location {
  std::string bucket;
  std::string prefix;  // may be empty
};
// "s3://bucket/prefix" (also s3a:// and s3n://, as Hive writes them).
Result<S3Location> parseS3Uri(std::string_view uri);

// `message` with the local paths of snapshot files (".../snapshot-XXXXXX/
// <bucket>/<key>") written as the s3:// URIs they stand for: what a user
// sees of a DuckDB failure names their objects, not Sluice's files.
std::string withS3Uris(std::string message);

class ObjectSnapshot {
 public:
  // Called for each object placed in the snapshot, with the index of its URI
  // and, for a small object written out, its first bytes (at most
  // kInspectBytes; empty for a linked file): a crawler classifies from them
  // without opening the file again.
  using Inspector =
      std::function<void(size_t uri, const LakeObject& object, std::string_view head)>;
  static constexpr size_t kInspectBytes = 8 * 1024;

  // Takes the snapshot of `uris` in a new directory under `workDir`.
  static Result<ObjectSnapshot> take(ObjectSource& source, const Scope& scope,
                                     const std::vector<std::string>& uris,
                                     const std::filesystem::path& workDir,
                                     const Inspector& inspect = {});
  // How the directory goes when the snapshot does (default: removed at once).
  void disposeWith(std::function<void(std::filesystem::path)> dispose) {
    dispose_ = std::move(dispose);
  }
  ObjectSnapshot(ObjectSnapshot&& other) noexcept;
  ObjectSnapshot& operator=(ObjectSnapshot&&) = delete;
  ObjectSnapshot(const ObjectSnapshot&) = delete;
  ~ObjectSnapshot();

  // The local path standing for an s3:// URI of this snapshot (the prefix's
  // directory, or file).
  Result<std::filesystem::path> localPath(std::string_view uri) const;
  const std::filesystem::path& root() const { return root_; }
  // The objects in the snapshot, per URI in the order given.
  const std::vector<std::vector<LakeObject>>& objects() const { return objects_; }
  size_t skippedKeys() const { return skipped_; }

 private:
  ObjectSnapshot() = default;
  std::filesystem::path root_;
  std::function<void(std::filesystem::path)> dispose_;
  std::vector<std::vector<LakeObject>> objects_;
  size_t skipped_ = 0;
};

// The key as a relative path, or nullopt when it cannot be one.
std::optional<std::filesystem::path> keyPath(std::string_view key);

}  // namespace sluice::lake
