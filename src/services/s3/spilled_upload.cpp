#include "services/s3/spilled_upload.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>

#include "core/encoding.hpp"

namespace sluice::services::s3 {

namespace {

// The digest of the first `size` bytes of `fd`, read in 1 MiB slices.
Result<std::string> fileDigest(int fd, uint64_t size, IncrementalDigest digest) {
  std::string slice(std::min<uint64_t>(size, 1 << 20), '\0');
  uint64_t done = 0;
  while (done < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size - done, slice.size()));
    ssize_t n = ::pread(fd, slice.data(), want, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return AwsError::internal(std::string("read spilled body: ") +
                                (n < 0 ? std::strerror(errno) : "file shorter than written"));
    }
    digest.update(std::string_view(slice.data(), static_cast<size_t>(n)));
    done += static_cast<uint64_t>(n);
  }
  return digest.finish();
}

}  // namespace

store::SpilledBody* spilledBody(const CallContext& ctx) {
  if (!ctx.payload || !ctx.payload->requestFile) return nullptr;
  return &*ctx.payload->requestFile;
}

Result<StoredBody> adoptSpilledBody(ObjectFiles& files, std::string_view fileId,
                                    store::SpilledBody body, const Json& in,
                                    std::optional<ChecksumAlgorithm> fallback) {
  const int fd = body.fd();
  const uint64_t size = body.size();
  auto md5 = std::async(std::launch::async, [fd, size] {
               return fileDigest(fd, size, IncrementalDigest::md5());
             }).share();
  auto synced = std::async(std::launch::async, [&body] { return body.sync(); });
  // A read error surfaces after the checks: a digest of "" fails them first.
  std::optional<AwsError> readError;
  auto valueOr = [&readError](Result<std::string> r) {
    if (r) return std::move(*r);
    if (!readError) readError = r.error();
    return std::string();
  };
  BodyDigests digests{[&] { return valueOr(md5.get()); },
                      [&](ChecksumAlgorithm a) {
                        auto raw = valueOr(fileDigest(fd, size, IncrementalDigest(a)));
                        return base64Encode(raw);
                      }};
  auto checksum = checkIntegrity(in, digests, fallback);
  std::string md5Digest = valueOr(md5.get());
  auto syncedResult = synced.get();
  if (readError) return *readError;
  if (!checksum) return checksum.takeError();
  if (!syncedResult) return syncedResult.error();
  if (auto r = files.adopt(fileId, std::move(body)); !r) return r.error();
  return StoredBody{size, quotedEtagOfMd5(md5Digest), std::move(*checksum)};
}

}  // namespace sluice::services::s3
