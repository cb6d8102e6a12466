// Packs a directory as a zip archive (stored entries, Unix modes kept), the
// deployment package of a function given as a folder (`sluice run --lambda`).
#pragma once

#include <filesystem>
#include <string>

#include "core/error.hpp"

namespace sluice::services::lambda {

// The regular files under `dir`, by relative path in sorted order, with their
// execute bits. Symbolic links and other special files are left out.
Result<std::string> zipDirectory(const std::filesystem::path& dir);

}  // namespace sluice::services::lambda
