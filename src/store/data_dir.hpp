// The data directory (--data-dir, default ./.sluice) and durable file writes.
//
//   <root>/sluice.db   SQLite (WAL): metadata, executions, queues, catalog
//   <root>/objects/    object data as plain files (the S3 layer maps keys to
//                      paths under it)
//   <root>/objects/spill/  large request bodies as they arrive (spilled_body.hpp):
//                      on the objects' file system so they can be renamed in
//
// Files are written durably: to a temporary file in the target's directory,
// fsynced, renamed over the target, and the directory fsynced. A reader sees
// the old content or the new, never a partial file, and once the write
// returns it survives kill -9 and power loss. Temporary files carry the
// prefix kTempPrefix, so listings skip them and removeTempFiles() can sweep
// what a crash left behind.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string_view>

#include "core/error.hpp"

namespace sluice::store {

inline constexpr std::string_view kTempPrefix = ".sluice-tmp-";

class DataDir {
 public:
  // Creates `root`, `root/objects` and the spill directory when missing, fsynced into their
  // parents (SqliteStore::open creates the database).
  static Result<DataDir> open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path databasePath() const { return root_ / "sluice.db"; }
  std::filesystem::path objectsDir() const { return root_ / "objects"; }
  std::filesystem::path spillDir() const { return objectsDir() / "spill"; }

 private:
  explicit DataDir(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path root_;
};

// Writes a file in pieces and makes it appear at `target` atomically and
// durably on commit(). Destroyed without commit(), it removes its temporary
// file and leaves the target as it was.
class DurableFileWriter {
 public:
  // The target's directory must exist (see createDirectoriesDurably).
  static Result<DurableFileWriter> create(const std::filesystem::path& target);

  DurableFileWriter(DurableFileWriter&& other) noexcept;
  DurableFileWriter& operator=(DurableFileWriter&&) = delete;
  DurableFileWriter(const DurableFileWriter&) = delete;
  ~DurableFileWriter();

  Result<void> write(std::span<const std::byte> data);
  Result<void> write(std::string_view data);
  // fsync the file, rename it over the target, fsync the directory.
  Result<void> commit();

  const std::filesystem::path& tempPath() const { return temp_; }

 private:
  DurableFileWriter(std::filesystem::path target, std::filesystem::path temp, int fd)
      : target_(std::move(target)), temp_(std::move(temp)), fd_(fd) {}
  void abandon();

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
};

// Replaces `target` with `contents` durably (see DurableFileWriter).
Result<void> writeFileDurably(const std::filesystem::path& target, std::string_view contents);

// create_directories, then fsync each created directory's parent so the new
// directories survive power loss too.
Result<void> createDirectoriesDurably(const std::filesystem::path& dir);

// fsyncs a directory (making renames and creations in it durable).
Result<void> syncDirectory(const std::filesystem::path& dir);
// fsyncs a file's data and metadata.
Result<void> syncFile(const std::filesystem::path& file);

// True for the names of DurableFileWriter's temporary files.
bool isTempFileName(std::string_view fileName);

// The internal error for a failed system call `what` on `path` (errno `err`).
AwsError ioError(std::string_view what, const std::filesystem::path& path, int err);

// Removes temporary files left under `dir` (recursively) by writers that
// never committed, e.g. because the process was killed. Call at start-up,
// before any writer runs. Returns how many were removed.
Result<std::size_t> removeTempFiles(const std::filesystem::path& dir);

}  // namespace sluice::store
