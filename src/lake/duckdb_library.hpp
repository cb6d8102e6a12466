// DuckDB's C API, loaded on first use. libduckdb.so (65 MB) is opened with
// dlopen the first time the lake needs it, so a server that never runs a
// query, crawl or job neither maps it nor pays for its relocations at start.
// The functions Sluice calls are resolved once into a table of pointers typed
// from duckdb.h itself, so a signature mismatch is a compile error.
//
// The library is found at $SLUICE_DUCKDB_LIBRARY, else where the build put
// it (third_party/duckdb/libduckdb.so, fetched by scripts/fetch_duckdb.sh).
#pragma once

#include <string>

#include "core/error.hpp"
#include "duckdb.h"

namespace sluice::lake {

struct DuckDbApi {
#define SLUICE_DUCKDB_FUNCTIONS(X)                                                               \
  X(duckdb_library_version)                                                                      \
  X(duckdb_create_config)                                                                        \
  X(duckdb_set_config)                                                                           \
  X(duckdb_destroy_config)                                                                       \
  X(duckdb_open_ext)                                                                             \
  X(duckdb_close)                                                                                \
  X(duckdb_connect) X(duckdb_disconnect) X(duckdb_interrupt) X(duckdb_query)                     \
      X(duckdb_destroy_result) X(duckdb_result_error) X(duckdb_column_count) X(duckdb_row_count) \
          X(duckdb_column_name) X(duckdb_column_type) X(duckdb_value_varchar)                    \
              X(duckdb_value_is_null) X(duckdb_free)
#define SLUICE_DUCKDB_POINTER(name) decltype(&::name) name = nullptr;
  SLUICE_DUCKDB_FUNCTIONS(SLUICE_DUCKDB_POINTER)
#undef SLUICE_DUCKDB_POINTER
};

// The loaded API (the first call loads it; later calls are a read). An
// error names the file and what failed; it is not cached, so a library put
// in place later is found.
Result<const DuckDbApi*> duckDbApi();

// Where the library is looked for.
std::string duckDbLibraryPath();

}  // namespace sluice::lake
