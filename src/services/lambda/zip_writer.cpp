#include "services/lambda/zip_writer.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::services::lambda {

namespace fs = std::filesystem;

namespace {

void le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

Result<std::string> zipDirectory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return AwsError{"InvalidParameterValueException", dir.string() + " is not a directory", 400};
  }
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && !it->is_symlink()) files.push_back(it->path());
  }
  if (ec) return AwsError::internal("cannot read " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  std::vector<PackageFile> entries;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in && !in.eof()) return AwsError::internal("cannot read " + path.string());
    struct stat st {};
    bool executable = ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
    entries.push_back(
        {fs::relative(path, dir).generic_string(), std::move(bytes).str(), executable});
  }
  return zipEntries(entries);
}

Result<std::string> zipEntries(const std::vector<PackageFile>& entries) {
  std::string out, central;
  for (const auto& entry : entries) {
    const std::string& data = entry.data;
    const std::string& name = entry.name;
    if (data.size() > 0xffffffffULL || out.size() > 0xffffffffULL) {
      return AwsError{"InvalidParameterValueException", "the package is too large", 400};
    }
    uint32_t mode = entry.executable ? 0100755 : 0100644;
    uint32_t crc = static_cast<uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    uint64_t offset = out.size();
    le(out, 0x04034b50, 4), le(out, 20, 2), le(out, 0, 2), le(out, 0, 2), le(out, 0, 2);
    le(out, 0, 2), le(out, crc, 4), le(out, data.size(), 4), le(out, data.size(), 4);
    le(out, name.size(), 2), le(out, 0, 2);
    out += name;
    out += data;
    le(central, 0x02014b50, 4), le(central, (3 << 8) | 20, 2), le(central, 20, 2);
    le(central, 0, 2), le(central, 0, 2), le(central, 0, 2), le(central, 0, 2);
    le(central, crc, 4), le(central, data.size(), 4), le(central, data.size(), 4);
    le(central, name.size(), 2), le(central, 0, 2), le(central, 0, 2), le(central, 0, 2);
    le(central, 0, 2), le(central, uint64_t(mode) << 16, 4), le(central, offset, 4);
    central += name;
  }
  if (entries.size() > 0xffff) {
    return AwsError{"InvalidParameterValueException", "too many files for a package", 400};
  }
  uint64_t centralOffset = out.size();
  out += central;
  le(out, 0x06054b50, 4), le(out, 0, 2), le(out, 0, 2), le(out, entries.size(), 2);
  le(out, entries.size(), 2), le(out, central.size(), 4), le(out, centralOffset, 4), le(out, 0, 2);
  return out;
}

}  // namespace sluice::services::lambda
