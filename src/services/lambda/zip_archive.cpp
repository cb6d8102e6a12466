#include "services/lambda/zip_archive.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "store/data_dir.hpp"

namespace sluice::services::lambda {

namespace {

constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr size_t kEndRecordSize = 22;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kLocalHeaderSize = 30;

uint16_t u16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(b[at]) |
                               static_cast<unsigned char>(b[at + 1]) << 8);
}
uint32_t u32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(u16(b, at)) | static_cast<uint32_t>(u16(b, at + 2)) << 16;
}

AwsError corrupt(std::string why) {
  return {"InvalidParameterValueException", "Could not unzip uploaded file: " + why, 400};
}

}  // namespace

Result<std::filesystem::path> safeEntryPath(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos ||
      (name.size() > 1 && name[1] == ':') || name.find('\0') != std::string_view::npos) {
    return corrupt("entry '" + std::string(name) + "' has an absolute or unsafe path");
  }
  std::filesystem::path out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part == "..") return corrupt("entry '" + std::string(name) + "' climbs out with '..'");
    if (!part.empty() && part != ".") out /= std::string(part);
    start = end + 1;
  }
  if (out.empty()) return corrupt("entry '" + std::string(name) + "' names no file");
  return out;
}

Result<ZipArchive> ZipArchive::open(std::string_view bytes) {
  if (bytes.size() < kEndRecordSize) return corrupt("the file is too small to be a zip archive");
  // The end record is within the last 22 + 65535 (comment) bytes.
  size_t lowest = bytes.size() > kEndRecordSize + 65535 ? bytes.size() - kEndRecordSize - 65535 : 0;
  size_t end = std::string_view::npos;
  for (size_t at = bytes.size() - kEndRecordSize + 1; at-- > lowest;) {
    if (u32(bytes, at) == kEndOfCentralDirectory) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos) return corrupt("no end of central directory record");
  if (u16(bytes, end + 4) != 0 || u16(bytes, end + 6) != 0) {
    return corrupt("multi-disk archives are not supported");
  }
  uint16_t count = u16(bytes, end + 10);
  uint32_t dirSize = u32(bytes, end + 12);
  uint32_t dirOffset = u32(bytes, end + 16);
  if (count == 0xFFFF || dirOffset == 0xFFFFFFFF)
    return corrupt("zip64 archives are not supported");
  if (static_cast<uint64_t>(dirOffset) + dirSize > end) {
    return corrupt("the central directory lies outside the file");
  }
  ZipArchive zip;
  zip.bytes_ = bytes;
  size_t at = dirOffset;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + kCentralHeaderSize > end || u32(bytes, at) != kCentralHeader) {
      return corrupt("central directory entry " + std::to_string(i) + " is damaged");
    }
    ZipEntry e;
    uint16_t madeBy = u16(bytes, at + 4);
    uint16_t flags = u16(bytes, at + 8);
    e.method = u16(bytes, at + 10);
    e.crc = u32(bytes, at + 16);
    e.compressedSize = u32(bytes, at + 20);
    e.size = u32(bytes, at + 24);
    uint16_t nameLen = u16(bytes, at + 28), extraLen = u16(bytes, at + 30),
             commentLen = u16(bytes, at + 32);
    uint32_t external = u32(bytes, at + 38);
    e.localHeaderOffset = u32(bytes, at + 42);
    if (at + kCentralHeaderSize + nameLen + extraLen + commentLen > end) {
      return corrupt("central directory entry " + std::to_string(i) + " is truncated");
    }
    e.name = std::string(bytes.substr(at + kCentralHeaderSize, nameLen));
    if (flags & 1) return corrupt("entry '" + e.name + "' is encrypted");
    if (e.method != 0 && e.method != 8) {
      return corrupt("entry '" + e.name + "' uses compression method " + std::to_string(e.method));
    }
    if (e.size == 0xFFFFFFFF || e.compressedSize == 0xFFFFFFFF ||
        e.localHeaderOffset == 0xFFFFFFFF) {
      return corrupt("zip64 archives are not supported");
    }
    if ((madeBy >> 8) == 3) e.mode = external >> 16;  // made on Unix
    zip.entries_.push_back(std::move(e));
    at += kCentralHeaderSize + nameLen + extraLen + commentLen;
  }
  return zip;
}

uint64_t ZipArchive::unzippedSize() const {
  uint64_t total = 0;
  for (const auto& e : entries_) total += e.size;
  return total;
}

Result<std::string> ZipArchive::read(const ZipEntry& e) const {
  size_t at = e.localHeaderOffset;
  if (at + kLocalHeaderSize > bytes_.size() || u32(bytes_, at) != kLocalHeader) {
    return corrupt("the local header of '" + e.name + "' is damaged");
  }
  size_t data = at + kLocalHeaderSize + u16(bytes_, at + 26) + u16(bytes_, at + 28);
  if (data + e.compressedSize > bytes_.size()) return corrupt("'" + e.name + "' is truncated");
  std::string_view in = bytes_.substr(data, e.compressedSize);
  std::string out;
  if (e.method == 0) {
    if (e.compressedSize != e.size) return corrupt("stored entry '" + e.name + "' has two sizes");
    out = std::string(in);
  } else {
    out.resize(e.size);
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return AwsError::internal("zlib: inflateInit2");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_FINISH);
    uLong produced = z.total_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END || produced != e.size) {
      return corrupt("'" + e.name + "' does not inflate to its recorded size");
    }
  }
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
  if (crc != e.crc) return corrupt("'" + e.name + "' fails its CRC check");
  return out;
}

Result<void> ZipArchive::extractTo(const std::filesystem::path& dir) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return store::ioError("create directory", dir, ec.value());
  for (const ZipEntry& e : entries_) {
    auto rel = safeEntryPath(e.name);
    if (!rel) return rel.error();
    std::filesystem::path target = dir / *rel;
    if (e.isDirectory()) {
      std::filesystem::create_directories(target, ec);
      if (ec) return store::ioError("create directory", target, ec.value());
      continue;
    }
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return store::ioError("create directory", target.parent_path(), ec.value());
    auto body = read(e);
    if (!body) return body.error();
    if (e.isSymlink()) {
      // Only links that stay inside the package: relative, and resolving
      // below `dir` from where they sit.
      auto linkRel = safeEntryPath(*body);
      std::filesystem::path resolved =
          (rel->parent_path() / std::filesystem::path(*body)).lexically_normal();
      if (!linkRel || std::filesystem::path(*body).is_absolute() || resolved.empty() ||
          *resolved.begin() == "..") {
        return corrupt("symbolic link '" + e.name + "' points outside the package");
      }
      std::filesystem::remove(target, ec);
      std::filesystem::create_symlink(*body, target, ec);
      if (ec) return store::ioError("create symlink", target, ec.value());
      continue;
    }
    std::filesystem::remove(target, ec);  // later entries (and layers) overwrite earlier ones
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out.write(body->data(), static_cast<std::streamsize>(body->size()));
      if (!out) return store::ioError("write", target, errno);
    }
    // Keep the owner's execute bit (bootstrap executables); everything is
    // readable. Without a recorded mode, files are 0644 as AWS unpacks them.
    mode_t mode = (e.mode & 0100) ? 0755 : 0644;
    if (::chmod(target.c_str(), mode) != 0) return store::ioError("chmod", target, errno);
  }
  return {};
}

}  // namespace sluice::services::lambda
