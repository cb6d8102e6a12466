// Deployment packages and layer archives on disk, content-addressed by the
// SHA-256 of the zip:
//
//   <root>/code/<sha256>.zip   the package as uploaded (GetFunction's Code.Location)
//   <root>/tasks/<sha256>/     its unpacked contents: a sandbox's LAMBDA_TASK_ROOT
//
// A package is validated and unpacked into a temporary directory, then
// renamed into place, so a bad archive leaves nothing behind and a reader
// never sees half a tree. Identical uploads share one copy.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::lambda {

struct StoredCode {
  std::string digest;  // hex SHA-256 of the zip
  int64_t size = 0;    // zipped bytes
  int64_t unzippedSize = 0;
};

class CodeStore {
 public:
  // Lambda's quota for a function and its layers, unzipped.
  static constexpr int64_t kMaxUnzippedBytes = 262144000;

  // `root` is created when missing. An empty root means a private temporary
  // directory, removed with the store (no data directory: `sluice run`, tests).
  explicit CodeStore(std::filesystem::path root);
  ~CodeStore();
  CodeStore(const CodeStore&) = delete;
  CodeStore& operator=(const CodeStore&) = delete;

  // Checks, keeps and unpacks `zip`; an unusable archive is
  // InvalidParameterValueException and stores nothing.
  Result<StoredCode> put(std::string_view zip);
  // The unpacked tree of a stored package (unpacked again if it went missing).
  Result<std::filesystem::path> unpacked(const std::string& digest);
  std::filesystem::path zipPath(const std::string& digest) const;
  Result<std::string> zipBytes(const std::string& digest) const;

 private:
  std::filesystem::path root_;
  bool ownsRoot_ = false;
  std::mutex mu_;  // serialises unpacking of one digest by two callers
};

}  // namespace sluice::services::lambda
