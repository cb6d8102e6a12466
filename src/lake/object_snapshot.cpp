#include "lake/object_snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::lake {

namespace fs = std::filesystem;

namespace {

AwsError ioFailure(const std::string& what, const fs::path& p, int err) {
  return AwsError::internal("lake snapshot: " + what + " " + p.string() + ": " +
                            std::strerror(err));
}

// Writes `bytes` to a new file; false (errno EEXIST) when it exists.
bool writeNew(const fs::path& target, const std::string& bytes) {
  int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      errno = err;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

}  // namespace

Result<S3Location> parseS3Uri(std::string_view uri) {
  std::string_view rest;
  for (std::string_view scheme : {"s3://", "s3a://", "s3n://"}) {
    if (uri.starts_with(scheme)) rest = uri.substr(scheme.size());
  }
  if (rest.empty()) {
    return AwsError{"InvalidInputException",
                    "Not an S3 location: '" + std::string(uri) + "' (expected s3://bucket/prefix)",
                    400};
  }
  auto slash = rest.find('/');
  S3Location l{std::string(rest.substr(0, slash)), slash == std::string_view::npos
                                                       ? std::string()
                                                       : std::string(rest.substr(slash + 1))};
  if (l.bucket.empty()) {
    return AwsError{"InvalidInputException", "No bucket in '" + std::string(uri) + "'", 400};
  }
  return l;
}

std::optional<fs::path> keyPath(std::string_view key) {
  if (key.empty() || key.back() == '/' || key.front() == '/') return std::nullopt;
  fs::path out;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view part = key.substr(start, end - start);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string_view::npos) {
      return std::nullopt;
    }
    out /= std::string(part);
    start = end + 1;
  }
  return out;
}

std::string withS3Uris(std::string message) {
  // A path runs from its '/' to the snapshot folder "snapshot-" + 6
  // characters; what follows it is bucket/key.
  for (size_t at = message.find("/snapshot-"); at != std::string::npos;
       at = message.find("/snapshot-", at)) {
    size_t end = at + 10 + 6;  // "/snapshot-" and the six characters mkdtemp chose
    if (end >= message.size() || message[end] != '/') {
      ++at;
      continue;
    }
    size_t start = at;
    while (start > 0 && message[start - 1] != '"' && message[start - 1] != '\'' &&
           message[start - 1] != ' ') {
      --start;
    }
    message.replace(start, end + 1 - start, "s3://");
    at = start + 5;
  }
  return message;
}

Result<ObjectSnapshot> ObjectSnapshot::take(ObjectSource& source, const Scope& scope,
                                            const std::vector<std::string>& uris,
                                            const fs::path& workDir, const Inspector& inspect) {
  std::error_code ec;
  fs::create_directories(workDir, ec);
  if (ec) return ioFailure("create", workDir, ec.value());
  std::string tmpl = (workDir / "snapshot-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) return ioFailure("create", tmpl, errno);
  ObjectSnapshot snap;
  snap.root_ = tmpl;  // from here on the destructor cleans up whatever happens
  for (size_t index = 0; index < uris.size(); ++index) {
    const std::string& uri = uris[index];
    auto loc = parseS3Uri(uri);
    if (!loc) return loc.error();
    auto listed = source.list(scope, loc->bucket, loc->prefix);
    if (!listed) return listed.error();
    std::vector<LakeObject> kept;
    fs::path lastDir;
    for (LakeObject& o : *listed) {
      auto rel = keyPath(o.key);
      if (!rel) {
        ++snap.skipped_;
        continue;
      }
      fs::path target = snap.root_ / loc->bucket / *rel;
      // Keys come in order, so folders repeat: create each once.
      fs::path dir = target.parent_path();
      if (dir != lastDir) {
        fs::create_directories(dir, ec);
        if (ec) {
          // A key that is a folder of another key ("a" and "a/b"): S3 allows
          // it, a file system does not. Left out, like a folder marker.
          ++snap.skipped_;
          continue;
        }
        lastDir = dir;
      }
      bool placed =
          o.bytes ? writeNew(target, *o.bytes) : ::link(o.file.c_str(), target.c_str()) == 0;
      if (!placed && errno == ENOENT && !o.bytes) {
        // Overwritten or deleted since the listing: take what is current now.
        auto again = source.reread(scope, loc->bucket, o.key);
        if (!again) return again.error();
        if (!*again) continue;
        o = std::move(**again);
        placed = o.bytes ? writeNew(target, *o.bytes) : ::link(o.file.c_str(), target.c_str()) == 0;
      }
      if (!placed && errno == EISDIR) {  // the key is also another key's folder
        ++snap.skipped_;
        continue;
      }
      // EEXIST: two URIs of one snapshot overlap; the object is there already.
      if (!placed && errno != EEXIST) return ioFailure(o.bytes ? "write" : "link", target, errno);
      if (inspect) {
        std::string_view head = o.bytes ? std::string_view(*o.bytes) : std::string_view();
        inspect(index, o, head.substr(0, kInspectBytes));
      }
      o.bytes.reset();  // on disk now; do not keep a second copy in memory
      kept.push_back(std::move(o));
    }
    snap.objects_.push_back(std::move(kept));
  }
  return snap;
}

ObjectSnapshot::ObjectSnapshot(ObjectSnapshot&& other) noexcept
    : root_(std::move(other.root_)),
      dispose_(std::move(other.dispose_)),
      objects_(std::move(other.objects_)),
      skipped_(other.skipped_) {
  other.root_.clear();
}

ObjectSnapshot::~ObjectSnapshot() {
  if (root_.empty()) return;
  if (dispose_) {
    dispose_(std::move(root_));
    return;
  }
  std::error_code ec;
  fs::remove_all(root_, ec);  // links only: the objects themselves stay
}

Result<fs::path> ObjectSnapshot::localPath(std::string_view uri) const {
  auto loc = parseS3Uri(uri);
  if (!loc) return loc.error();
  fs::path p = root_ / loc->bucket;
  std::string_view prefix = loc->prefix;
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  if (prefix.empty()) return p;
  auto rel = keyPath(prefix);
  if (!rel) {
    return AwsError{"InvalidInputException",
                    "S3 prefix '" + std::string(loc->prefix) + "' cannot be read as a path", 400};
  }
  return p / *rel;
}

}  // namespace sluice::lake
