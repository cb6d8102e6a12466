#include "lake/duckdb.hpp"

#include <filesystem>

namespace sluice::lake {

namespace {

AwsError duckError(std::string message) {
  return {kDuckDbError, std::move(message), 400};
}

// The options Sluice always sets: nothing is downloaded (JSON and Parquet are
// linked into the library), and DuckDB gets a home directory it can write.
std::vector<std::pair<std::string, std::string>> settings(const DuckDbOptions& o) {
  std::vector<std::pair<std::string, std::string>> s = {
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
  };
  if (!o.memoryLimit.empty()) s.emplace_back("memory_limit", o.memoryLimit);
  if (o.threads > 0) s.emplace_back("threads", std::to_string(o.threads));
  if (!o.tempDirectory.empty()) s.emplace_back("temp_directory", o.tempDirectory);
  return s;
}

}  // namespace

Result<std::unique_ptr<DuckDatabase>> DuckDatabase::open(const DuckDbOptions& options) {
  auto api = duckDbApi();
  if (!api) return api.error();
  const DuckDbApi& a = **api;
  duckdb_config config = nullptr;
  if (a.duckdb_create_config(&config) != DuckDBSuccess) {
    return AwsError::internal("DuckDB: cannot create a configuration");
  }
  for (const auto& [name, value] : settings(options)) {
    if (a.duckdb_set_config(config, name.c_str(), value.c_str()) != DuckDBSuccess) {
      a.duckdb_destroy_config(&config);
      return AwsError::internal("DuckDB: bad setting " + name + "=" + value);
    }
  }
  duckdb_database db = nullptr;
  char* error = nullptr;
  const char* path = options.path.empty() ? nullptr : options.path.c_str();
  duckdb_state state = a.duckdb_open_ext(path, &db, config, &error);
  a.duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    std::string why = error ? error : "unknown error";
    if (error) a.duckdb_free(error);
    return AwsError::internal("DuckDB: cannot open " +
                              (options.path.empty() ? std::string("a database") : options.path) +
                              ": " + why);
  }
  // DuckDB wants a home directory it can write; it is a per-connection
  // setting, applied in connect().
  std::string home = !options.homeDirectory.empty() ? options.homeDirectory
                     : !options.tempDirectory.empty()
                         ? options.tempDirectory
                         : std::filesystem::temp_directory_path().string();
  return std::unique_ptr<DuckDatabase>(new DuckDatabase(a, db, std::move(home)));
}

DuckDatabase::~DuckDatabase() {
  api_.duckdb_close(&db_);
}

std::string DuckDatabase::version() const {
  return api_.duckdb_library_version();
}

Result<std::unique_ptr<DuckConnection>> DuckDatabase::connect() {
  duckdb_connection con = nullptr;
  if (api_.duckdb_connect(db_, &con) != DuckDBSuccess) {
    return AwsError::internal("DuckDB: cannot connect");
  }
  auto connection = std::unique_ptr<DuckConnection>(new DuckConnection(api_, con));
  if (auto r = connection->query("SET home_directory = " + sqlString(home_)); !r) {
    return AwsError::internal("DuckDB: cannot set the home directory: " + r.error().message);
  }
  return connection;
}

std::string sqlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string sqlIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

DuckConnection::~DuckConnection() {
  api_.duckdb_disconnect(&con_);
}

void DuckConnection::interrupt() {
  api_.duckdb_interrupt(con_);
}

Result<QueryResult> DuckConnection::query(const std::string& sql) {
  duckdb_result raw;
  duckdb_state state = api_.duckdb_query(con_, sql.c_str(), &raw);
  // The result owns memory whether the query succeeded or not.
  struct Owner {
    const DuckDbApi& api;
    duckdb_result* r;
    ~Owner() { api.duckdb_destroy_result(r); }
  } owner{api_, &raw};
  if (state != DuckDBSuccess) {
    const char* why = api_.duckdb_result_error(&raw);
    return duckError(why ? why : "query failed");
  }
  QueryResult out;
  idx_t columns = api_.duckdb_column_count(&raw);
  idx_t rows = api_.duckdb_row_count(&raw);
  for (idx_t c = 0; c < columns; ++c) {
    const char* name = api_.duckdb_column_name(&raw, c);
    out.names_.emplace_back(name ? name : "");
    out.types_.push_back(api_.duckdb_column_type(&raw, c));
  }
  out.rows_.resize(rows);
  for (idx_t r = 0; r < rows; ++r) {
    auto& row = out.rows_[r];
    row.reserve(columns);
    for (idx_t c = 0; c < columns; ++c) {
      if (api_.duckdb_value_is_null(&raw, c, r)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      char* text = api_.duckdb_value_varchar(&raw, c, r);
      row.emplace_back(text ? std::string(text) : std::string());
      if (text) api_.duckdb_free(text);
    }
  }
  return out;
}

}  // namespace sluice::lake
