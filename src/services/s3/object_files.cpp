#include "services/s3/object_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/data_dir.hpp"

namespace sluice::services::s3 {

namespace fs = std::filesystem;

std::string ObjectFiles::newId(IdGenerator& ids) {
  std::string id;
  for (char c : ids.uuid()) {
    if (c != '-') id += c;
  }
  return id;
}

bool ObjectFiles::isValidId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

fs::path ObjectFiles::path(std::string_view id) const {
  return root_ / std::string(id.substr(0, 2)) / std::string(id);
}

Result<void> ObjectFiles::write(std::string_view id, std::string_view data) {
  if (!isValidId(id)) return AwsError::internal("invalid object file id");
  auto target = path(id);
  if (auto r = store::createDirectoriesDurably(target.parent_path()); !r) return r;
  auto writer = store::DurableFileWriter::create(target);
  if (!writer) return writer.takeError();
  if (auto r = writer->write(data); !r) return r;
  return writer->commit();
}

Result<void> ObjectFiles::adopt(std::string_view id, store::SpilledBody&& body) {
  if (!isValidId(id)) return AwsError::internal("invalid object file id");
  auto target = path(id);
  if (auto r = store::createDirectoriesDurably(target.parent_path()); !r) return r;
  return body.commitAs(target);
}

Result<void> ObjectFiles::writeConcatenation(std::string_view id,
                                             const std::vector<std::string>& parts) {
  if (!isValidId(id)) return AwsError::internal("invalid object file id");
  auto target = path(id);
  if (auto r = store::createDirectoriesDurably(target.parent_path()); !r) return r;
  auto writer = store::DurableFileWriter::create(target);
  if (!writer) return writer.takeError();
  std::string slice(1 << 20, '\0');
  for (const auto& part : parts) {
    auto fd = open(part);
    if (!fd) return fd.takeError();
    off_t offset = 0;
    while (true) {
      ssize_t n = ::pread(fd->get(), slice.data(), slice.size(), offset);
      if (n < 0) return AwsError::internal(std::string("read part: ") + std::strerror(errno));
      if (n == 0) break;
      if (auto r = writer->write(std::string_view(slice.data(), static_cast<size_t>(n))); !r) {
        return r;
      }
      offset += n;
    }
  }
  return writer->commit();
}

Result<UniqueFd> ObjectFiles::open(std::string_view id) const {
  if (!isValidId(id)) return AwsError::internal("invalid object file id");
  int fd = ::open(path(id).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return AwsError{"NoSuchFile", "object file is gone", 500};
    return AwsError::internal(std::string("open object file: ") + std::strerror(errno));
  }
  return UniqueFd(fd);
}

Result<std::string> ObjectFiles::read(const UniqueFd& fd, uint64_t offset, uint64_t length) {
  std::string out(length, '\0');
  uint64_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pread(fd.get(), out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0) return AwsError::internal(std::string("read object: ") + std::strerror(errno));
    if (n == 0) return AwsError::internal("object file shorter than its metadata");
    done += static_cast<uint64_t>(n);
  }
  return out;
}

void ObjectFiles::remove(std::string_view id) const {
  if (!isValidId(id)) return;
  std::error_code ec;
  fs::remove(path(id), ec);
}

Result<size_t> ObjectFiles::removeUnreferenced(const std::set<std::string>& referenced) const {
  size_t removed = 0;
  std::error_code ec;
  if (!fs::exists(root_, ec)) return removed;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    bool orphan = store::isTempFileName(name) || (isValidId(name) && !referenced.count(name));
    if (orphan && fs::remove(it->path(), ec)) ++removed;
  }
  if (ec) return AwsError::internal("sweeping object files: " + ec.message());
  return removed;
}

}  // namespace sluice::services::s3
