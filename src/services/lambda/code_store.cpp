#include "services/lambda/code_store.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/digest.hpp"
#include "services/lambda/zip_archive.hpp"
#include "store/data_dir.hpp"

namespace sluice::services::lambda {

namespace fs = std::filesystem;

CodeStore::CodeStore(fs::path root) : root_(std::move(root)) {
  if (root_.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "sluice-lambda-XXXXXX").string();
    if (::mkdtemp(tmpl.data())) {
      root_ = tmpl;
      ownsRoot_ = true;
    }
  }
  std::error_code ec;
  fs::create_directories(root_ / "code", ec);
  fs::create_directories(root_ / "tasks", ec);
}

CodeStore::~CodeStore() {
  if (ownsRoot_) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

fs::path CodeStore::zipPath(const std::string& digest) const {
  return root_ / "code" / (digest + ".zip");
}

Result<std::string> CodeStore::zipBytes(const std::string& digest) const {
  std::ifstream in(zipPath(digest), std::ios::binary);
  if (!in) return store::ioError("open", zipPath(digest), errno);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<StoredCode> CodeStore::put(std::string_view zip) {
  auto archive = ZipArchive::open(zip);
  if (!archive) return archive.error();
  StoredCode code;
  code.digest = *hexDigest("SHA-256", zip);
  code.size = static_cast<int64_t>(zip.size());
  code.unzippedSize = static_cast<int64_t>(archive->unzippedSize());
  if (code.unzippedSize > kMaxUnzippedBytes) {
    return AwsError{
        "InvalidParameterValueException",
        "Unzipped size must be smaller than " + std::to_string(kMaxUnzippedBytes) + " bytes", 400};
  }
  std::lock_guard lock(mu_);
  fs::path dest = root_ / "tasks" / code.digest;
  if (!fs::exists(dest)) {
    // Unpack beside the destination, then rename: all or nothing.
    fs::path temp = root_ / "tasks" / (std::string(store::kTempPrefix) + code.digest);
    std::error_code ec;
    fs::remove_all(temp, ec);
    if (auto r = archive->extractTo(temp); !r) {
      fs::remove_all(temp, ec);
      return r.error();
    }
    fs::rename(temp, dest, ec);
    if (ec) {
      fs::remove_all(temp, ec);
      return store::ioError("rename", dest, ec.value());
    }
  }
  if (!fs::exists(zipPath(code.digest))) {
    if (auto w = store::writeFileDurably(zipPath(code.digest), zip); !w) return w.error();
  }
  return code;
}

Result<fs::path> CodeStore::unpacked(const std::string& digest) {
  fs::path dest = root_ / "tasks" / digest;
  if (fs::exists(dest)) return dest;
  auto bytes = zipBytes(digest);
  if (!bytes) return bytes.error();
  auto stored = put(*bytes);
  if (!stored) return stored.error();
  return dest;
}

}  // namespace sluice::services::lambda
