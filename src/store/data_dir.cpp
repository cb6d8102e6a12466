#include "store/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "store/sqlite/database.hpp"

namespace sluice::store {

namespace fs = std::filesystem;

AwsError ioError(std::string_view what, const fs::path& path, int err) {
  return AwsError::internal("io: " + std::string(what) + " " + path.string() + ": " +
                            std::strerror(err));
}

namespace {

AwsError ecError(std::string_view what, const fs::path& path, const std::error_code& ec) {
  return AwsError::internal("io: " + std::string(what) + " " + path.string() + ": " + ec.message());
}

Result<void> fsyncFd(int fd, const fs::path& path) {
  // fdatasync would skip the inode's times; fsync keeps the size and
  // metadata of a new file consistent too, and costs the same on ext4.
  while (::fsync(fd) != 0) {
    if (errno != EINTR) return ioError("fsync", path, errno);
  }
  return {};
}

}  // namespace

Result<void> syncFile(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ioError("open", file, errno);
  auto r = fsyncFd(fd, file);
  ::close(fd);
  return r;
}

Result<void> syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("open directory", dir, errno);
  auto r = fsyncFd(fd, dir);
  ::close(fd);
  return r;
}

Result<void> createDirectoriesDurably(const fs::path& dir) {
  // Find the missing ancestors, create them top-down, and fsync each
  // parent once its new child exists.
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (!fs::create_directory(*it, ec) && ec) return ecError("create directory", *it, ec);
    fs::path parent = it->parent_path();
    if (parent.empty()) parent = ".";
    if (auto r = syncDirectory(parent); !r) return r;
  }
  if (!fs::is_directory(dir, ec)) return ioError("not a directory:", dir, ENOTDIR);
  return {};
}

Result<DataDir> DataDir::open(const fs::path& root) {
  DataDir dir(root);
  if (auto r = createDirectoriesDurably(dir.root()); !r) return r.error();
  if (auto r = createDirectoriesDurably(dir.objectsDir()); !r) return r.error();
  if (auto r = createDirectoriesDurably(dir.spillDir()); !r) return r.error();
  return dir;
}

// ---- DurableFileWriter ----

Result<DurableFileWriter> DurableFileWriter::create(const fs::path& target) {
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  // Keep the temp name within NAME_MAX whatever the target's name is.
  std::string name = target.filename().string().substr(0, 120);
  std::string pattern = (dir / (std::string(kTempPrefix) + name + ".XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) return ioError("create temporary file for", target, errno);
  // mkostemp creates 0600; objects are ordinary files of the user.
  ::fchmod(fd, 0644);
  return DurableFileWriter(target, fs::path(buffer.data()), fd);
}

DurableFileWriter::DurableFileWriter(DurableFileWriter&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)) {}

DurableFileWriter::~DurableFileWriter() {
  abandon();
}

void DurableFileWriter::abandon() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(temp_.c_str());
}

Result<void> DurableFileWriter::write(std::span<const std::byte> data) {
  if (fd_ < 0) return AwsError::internal("io: write to a finished file " + target_.string());
  const auto* p = reinterpret_cast<const char*>(data.data());
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ioError("write", temp_, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> DurableFileWriter::write(std::string_view data) {
  return write(std::as_bytes(std::span(data.data(), data.size())));
}

Result<void> DurableFileWriter::commit() {
  if (fd_ < 0) return AwsError::internal("io: commit of a finished file " + target_.string());
  if (auto r = fsyncFd(fd_, temp_); !r) return r;
  if (::close(std::exchange(fd_, -1)) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return ioError("close", temp_, err);
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp_.c_str());
    return ioError("rename into", target_, err);
  }
  fs::path dir = target_.parent_path();
  if (dir.empty()) dir = ".";
  return syncDirectory(dir);
}

Result<void> writeFileDurably(const fs::path& target, std::string_view contents) {
  auto writer = DurableFileWriter::create(target);
  if (!writer) return writer.takeError();
  if (auto r = writer->write(contents); !r) return r;
  return writer->commit();
}

bool isTempFileName(std::string_view fileName) {
  return fileName.starts_with(kTempPrefix);
}

Result<std::size_t> removeTempFiles(const fs::path& dir) {
  std::error_code ec;
  std::size_t removed = 0;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return ecError("list", dir, ec);
  for (; it != end; it.increment(ec)) {
    if (ec) return ecError("list", dir, ec);
    if (!it->is_regular_file(ec)) continue;
    if (!isTempFileName(it->path().filename().string())) continue;
    if (fs::remove(it->path(), ec)) ++removed;
    if (ec) return ecError("remove", it->path(), ec);
  }
  return removed;
}

}  // namespace sluice::store
