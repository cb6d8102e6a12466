// Reading Lambda deployment packages and layer archives (.zip): the central
// directory, stored and deflated entries, CRC checks, Unix modes and
// symlinks. Extraction refuses anything that would land outside the target
// directory (absolute paths, "..", escaping symlinks), so a hostile archive
// cannot write over the server's files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice::services::lambda {

struct ZipEntry {
  std::string name;  // as stored, '/'-separated; directories end in '/'
  uint16_t method = 0;
  uint32_t crc = 0;
  uint32_t compressedSize = 0;
  uint32_t size = 0;
  uint32_t localHeaderOffset = 0;
  uint32_t mode = 0;  // Unix mode from the external attributes; 0 when none
  bool isDirectory() const { return !name.empty() && name.back() == '/'; }
  bool isSymlink() const { return (mode & 0170000) == 0120000; }
};

class ZipArchive {
 public:
  // Parses the central directory of `bytes` (kept by reference: the archive
  // must outlive this object). A corrupt or unsupported archive (encrypted,
  // zip64, spanned) is an error whose message says why.
  static Result<ZipArchive> open(std::string_view bytes);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry's contents, inflated and CRC-checked.
  Result<std::string> read(const ZipEntry& entry) const;
  // Sum of the entries' uncompressed sizes.
  uint64_t unzippedSize() const;
  // Writes every entry under `dir` (created if missing), keeping executable
  // bits; fails, leaving `dir` partly written, on the first bad entry (the
  // caller extracts into a fresh temporary directory).
  Result<void> extractTo(const std::filesystem::path& dir) const;

 private:
  std::string_view bytes_;
  std::vector<ZipEntry> entries_;
};

// The entry name as a safe relative path, or an error for absolute paths,
// drive letters, backslash tricks and ".." components.
Result<std::filesystem::path> safeEntryPath(std::string_view name);

}  // namespace sluice::services::lambda
