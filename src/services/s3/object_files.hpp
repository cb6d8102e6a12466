// Where larger object bytes live (small ones are inline in their metadata
// row, object_bodies.cpp): <data-dir>/objects/<id[0:2]>/<id>, one plain file
// per object version or upload part, named by a random 128-bit id. Keys never
// become paths (so no key can escape the directory or collide with another
// on disk); the key -> file mapping is metadata (s3_store.hpp). Files are
// written durably (temp file, fsync, rename) before their metadata commits,
// so a reader never sees a partial object and an acknowledged PUT survives
// kill -9. A crash between the two leaves an unreferenced file, swept at
// start-up.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/file_region.hpp"
#include "core/ids.hpp"
#include "store/spilled_body.hpp"

namespace sluice::services::s3 {

class ObjectFiles {
 public:
  explicit ObjectFiles(std::filesystem::path root) : root_(std::move(root)) {}

  // A fresh file id (32 lower-case hex digits).
  static std::string newId(IdGenerator& ids);
  // True for strings newId could have produced (guards every path built).
  static bool isValidId(std::string_view id);

  std::filesystem::path path(std::string_view id) const;
  // Writes `data` as file `id`, durably.
  Result<void> write(std::string_view id, std::string_view data);
  // Makes a request body spilled to disk file `id` by renaming it into place
  // (the spill directory is on the same file system), durably: no copy.
  Result<void> adopt(std::string_view id, store::SpilledBody&& body);
  // Writes the concatenation of files `parts` (in order) as file `id`,
  // durably: how a completed multipart upload becomes one plain file.
  Result<void> writeConcatenation(std::string_view id, const std::vector<std::string>& parts);
  // Opens file `id` for reading; the error is "NoSuchFile" when it is gone
  // (deleted by a concurrent overwrite: the caller re-reads the metadata).
  Result<UniqueFd> open(std::string_view id) const;
  // Reads `length` bytes from `offset` (the workflow door, and copies).
  static Result<std::string> read(const UniqueFd& fd, uint64_t offset, uint64_t length);
  // Best-effort unlink (the metadata no longer names it).
  void remove(std::string_view id) const;
  // Unlinks every file whose id is not in `referenced`, and temporary files a
  // crash left; returns how many were removed. Start-up only.
  Result<size_t> removeUnreferenced(const std::set<std::string>& referenced) const;

 private:
  std::filesystem::path root_;
};

}  // namespace sluice::services::s3
