#include "lake/duckdb_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

namespace sluice::lake {

namespace {

// The library is process-wide by nature (dlopen maps it once); this is its
// one handle, written once under the lock and never unloaded.
struct Loaded {
  std::mutex mu;
  bool ready = false;
  DuckDbApi api;
};

Loaded& loaded() {
  static Loaded l;
  return l;
}

}  // namespace

std::string duckDbLibraryPath() {
  if (const char* env = std::getenv("SLUICE_DUCKDB_LIBRARY"); env && *env) return env;
  return SLUICE_DUCKDB_DEFAULT_LIBRARY;
}

Result<const DuckDbApi*> duckDbApi() {
  Loaded& l = loaded();
  std::lock_guard lock(l.mu);
  if (l.ready) return &l.api;
  std::string path = duckDbLibraryPath();
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return AwsError::internal("DuckDB library " + path +
                              " cannot be loaded: " + (why ? why : "unknown error") +
                              " (run scripts/fetch_duckdb.sh, or set SLUICE_DUCKDB_LIBRARY)");
  }
  DuckDbApi api;
  std::string missing;
#define SLUICE_DUCKDB_RESOLVE(name)                                        \
  api.name = reinterpret_cast<decltype(api.name)>(::dlsym(handle, #name)); \
  if (!api.name) missing += std::string(missing.empty() ? "" : ", ") + #name;
  SLUICE_DUCKDB_FUNCTIONS(SLUICE_DUCKDB_RESOLVE)
#undef SLUICE_DUCKDB_RESOLVE
  if (!missing.empty()) {
    ::dlclose(handle);
    return AwsError::internal("DuckDB library " + path + " lacks " + missing);
  }
  l.api = api;
  l.ready = true;
  return &l.api;
}

}  // namespace sluice::lake
