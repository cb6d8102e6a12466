// Local master keys for encryption at rest (SecureString parameters, ...).
//
// A key is 32 random bytes in a file under <data-dir>/keys/, created on first
// use with mode 0600 (its directory 0700), written durably (temp file, fsync,
// rename, fsync the directory) so a crash never leaves a partial key. The key
// never leaves the process: it is not logged and not returned by any API.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.hpp"

namespace sluice::services {

// Reads the key at `file`, creating it when missing. A file of the wrong size
// or mode readable by others is refused (InternalFailure) rather than used.
Result<std::string> loadOrCreateMasterKey(const std::filesystem::path& file);

// <dataDir>/keys/<name>.key
std::filesystem::path masterKeyPath(const std::filesystem::path& dataDir, std::string_view name);

}  // namespace sluice::services
