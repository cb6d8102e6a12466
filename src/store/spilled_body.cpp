#include "store/spilled_body.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "store/data_dir.hpp"

namespace sluice::store {

namespace fs = std::filesystem;

Result<SpilledBody> SpilledBody::create(const fs::path& dir) {
  std::string pattern = (dir / (std::string(kTempPrefix) + "body.XXXXXX")).string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
  if (fd < 0) return ioError("create spill file in", dir, errno);
  // mkostemp creates 0600; an adopted body becomes an ordinary object file.
  ::fchmod(fd, 0644);
  return SpilledBody(fs::path(buffer.data()), UniqueFd(fd));
}

Result<SpilledBody> SpilledBody::adopt(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ioError("open", file, errno);
  UniqueFd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ioError("stat", file, errno);
  ::fchmod(fd, 0644);
  SpilledBody body(file, std::move(owned));
  body.size_ = static_cast<uint64_t>(st.st_size);
  body.writebackFrom_ = body.size_;
  return body;
}

SpilledBody::SpilledBody(SpilledBody&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::move(other.fd_)),
      size_(std::exchange(other.size_, 0)),
      writebackFrom_(std::exchange(other.writebackFrom_, 0)) {
  other.path_.clear();
}

SpilledBody& SpilledBody::operator=(SpilledBody&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    other.path_.clear();
    fd_ = std::move(other.fd_);
    size_ = std::exchange(other.size_, 0);
    writebackFrom_ = std::exchange(other.writebackFrom_, 0);
  }
  return *this;
}

SpilledBody::~SpilledBody() {
  discard();
}

void SpilledBody::discard() {
  fd_.reset();
  if (!path_.empty()) ::unlink(path_.c_str());
  path_.clear();
}

Result<void> SpilledBody::append(std::string_view data) {
  if (!fd_) return AwsError::internal("io: write to a committed spill file");
  while (!data.empty()) {
    const ssize_t n = ::write(fd_.get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ioError("write", path_, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
    size_ += static_cast<uint64_t>(n);
  }
  // Start writing back what has arrived (without waiting for it), so the
  // disk works while the rest of the body is received and the final fsync
  // has little left to do.
  if (size_ - writebackFrom_ >= kWritebackBytes) {
    ::sync_file_range(fd_.get(), static_cast<off_t>(writebackFrom_),
                      static_cast<off_t>(size_ - writebackFrom_), SYNC_FILE_RANGE_WRITE);
    writebackFrom_ = size_;
  }
  return {};
}

Result<std::string> SpilledBody::readAll() const {
  std::string out(size_, '\0');
  uint64_t done = 0;
  while (done < size_) {
    ssize_t n = ::pread(fd_.get(), out.data() + done, size_ - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ioError("read", path_, n < 0 ? errno : EIO);
    done += static_cast<uint64_t>(n);
  }
  return out;
}

Result<void> SpilledBody::sync() const {
  while (::fsync(fd_.get()) != 0) {
    if (errno != EINTR) return ioError("fsync", path_, errno);
  }
  return {};
}

Result<void> SpilledBody::commitAs(const fs::path& target) {
  if (!fd_) return AwsError::internal("io: commit of a committed spill file");
  if (auto r = sync(); !r) return r;
  if (::rename(path_.c_str(), target.c_str()) != 0) return ioError("rename into", target, errno);
  path_.clear();  // the file is the target's now
  fd_.reset();
  fs::path dir = target.parent_path();
  return syncDirectory(dir.empty() ? fs::path(".") : dir);
}

}  // namespace sluice::store
