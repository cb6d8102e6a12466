// A request body written to a file as it arrives instead of being held in
// memory (a large S3 PutObject / UploadPart). The file lives in the data
// directory's spill directory, on the object files' file system, so an
// operation that accepts the body renames it into place (commitAs) rather
// than copying it. Its name carries kTempPrefix: the start-up sweep removes
// what a crash left. Destroyed without commitAs(), the file is unlinked, so
// a refused body (bad digest, missing bucket, ...) leaves nothing behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/file_region.hpp"

namespace sluice::store {

class SpilledBody {
 public:
  // Creates an empty spill file in `dir` (which must exist).
  static Result<SpilledBody> create(const std::filesystem::path& dir);
  // Takes over a finished file written by someone else (a query's output in
  // the lake's scratch directory, on the same file system): stored by
  // renaming it like a spilled request body, removed if it is not.
  static Result<SpilledBody> adopt(const std::filesystem::path& file);

  SpilledBody(SpilledBody&& other) noexcept;
  SpilledBody& operator=(SpilledBody&& other) noexcept;
  SpilledBody(const SpilledBody&) = delete;
  SpilledBody& operator=(const SpilledBody&) = delete;
  ~SpilledBody();

  // Appends `data` (the whole of it, retrying short writes).
  Result<void> append(std::string_view data);
  // Bytes appended so far.
  uint64_t size() const { return size_; }
  int fd() const { return fd_.get(); }
  const std::filesystem::path& path() const { return path_; }

  // Reads the whole body back into memory (for operations that do not
  // take a file).
  Result<std::string> readAll() const;
  // fsyncs the file's data (may run beside readers of fd()).
  Result<void> sync() const;
  // fsyncs, renames the file to `target` (same file system) and fsyncs the
  // target's directory: the body becomes that file, durably. Afterwards this
  // object no longer owns a file.
  Result<void> commitAs(const std::filesystem::path& target);

 private:
  SpilledBody(std::filesystem::path path, UniqueFd fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}
  void discard();

  std::filesystem::path path_;
  UniqueFd fd_;
  uint64_t size_ = 0;
  // Appended bytes from here on have not been handed to writeback yet.
  uint64_t writebackFrom_ = 0;
  static constexpr uint64_t kWritebackBytes = 8ull << 20;
};

}  // namespace sluice::store
