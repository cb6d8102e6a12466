// An open file descriptor (RAII) and a byte range of it: how a large response
// body (an S3 object) travels from a service to the HTTP server without being
// read into memory. Holding the descriptor keeps the data readable even when
// the file is unlinked meanwhile (an overwrite or delete of the object).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <memory>
#include <utility>

namespace sluice {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

struct FileRegion {
  std::shared_ptr<const UniqueFd> file;
  uint64_t offset = 0;
  uint64_t length = 0;
};

}  // namespace sluice
