// Packs files as a zip archive (stored entries, Unix modes kept): the
// deployment package of a function given as a folder (`sluice run --lambda`,
// `sluice deploy`) or as inline source (CloudFormation's Code.ZipFile).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sluice::services::lambda {

struct PackageFile {
  std::string name;  // relative path, '/'-separated
  std::string data;
  bool executable = false;
};

// The entries in the order given.
Result<std::string> zipEntries(const std::vector<PackageFile>& entries);

// The regular files under `dir`, by relative path in sorted order, with their
// execute bits. Symbolic links and other special files are left out.
Result<std::string> zipDirectory(const std::filesystem::path& dir);

}  // namespace sluice::services::lambda
