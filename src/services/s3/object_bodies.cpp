// Where an object version's bytes live. A small body is kept in the version's
// metadata row: it commits in the same group-committed SQLite transaction as
// the metadata, with the same kill -9 guarantee, instead of paying a file
// fsync, a rename and a directory fsync of its own (what limited small PUTs).
// Larger bodies are plain files (object_files.hpp), which GetObject sends
// with sendfile and multipart uploads concatenate.
#include "services/s3/s3_service.hpp"

namespace sluice::services::s3 {

namespace {

// At or below this size a body is stored inline. SQLite reads and writes
// blobs of this size faster than the file system does files; above it the
// WAL would carry (and checkpoint) ever larger copies.
constexpr size_t kInlineBodyLimit = 64 * 1024;

}  // namespace

Result<void> S3Service::storeBody(ObjectRecord& o, std::string_view body) {
  if (body.size() <= kInlineBodyLimit) {
    o.fileId.clear();
    o.inlineBody.emplace(body);
    return {};
  }
  o.inlineBody.reset();
  o.fileId = ObjectFiles::newId(ids_);
  return files_->write(o.fileId, body);
}

Result<std::string> S3Service::readBody(const ObjectRecord& o, uint64_t offset, uint64_t length) {
  if (o.inlineBody) {
    if (offset > o.inlineBody->size() || length > o.inlineBody->size() - offset) {
      return AwsError::internal("inline object body shorter than its metadata");
    }
    return o.inlineBody->substr(offset, length);
  }
  if (length == 0) return std::string();
  auto fd = files_->open(o.fileId);
  if (!fd) return fd.takeError();
  return ObjectFiles::read(*fd, offset, length);
}

}  // namespace sluice::services::s3
