#include "services/common/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/aead.hpp"
#include "store/data_dir.hpp"

namespace sluice::services {

namespace {

AwsError keyError(const std::filesystem::path& file, std::string_view what) {
  return AwsError::internal("master key " + file.string() + ": " + std::string(what));
}

Result<void> writeNewKey(const std::filesystem::path& file, const std::string& key) {
  auto temp = file;
  temp += ".new";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return keyError(file, std::strerror(errno));
  bool ok =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    ::unlink(temp.c_str());
    return keyError(file, "cannot be written");
  }
  return store::syncDirectory(file.parent_path());
}

}  // namespace

std::filesystem::path masterKeyPath(const std::filesystem::path& dataDir, std::string_view name) {
  return dataDir / "keys" / (std::string(name) + ".key");
}

Result<std::string> loadOrCreateMasterKey(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    auto dir = file.parent_path();
    if (auto r = store::createDirectoriesDurably(dir); !r) return r.error();
    ::chmod(dir.c_str(), 0700);
    std::string key = secureRandomBytes(kAes256KeyBytes);
    if (auto r = writeNewKey(file, key); !r) return r.error();
    return key;
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return keyError(file, std::strerror(errno));
  if (st.st_mode & 0077) return keyError(file, "is readable by others (expected mode 0600)");
  std::ifstream in(file, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() != kAes256KeyBytes) return keyError(file, "has the wrong size");
  return key;
}

}  // namespace sluice::services
