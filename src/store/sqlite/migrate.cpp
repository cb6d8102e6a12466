#include "store/sqlite/migrate.hpp"

#include <string>

namespace sluice::store::sqlite {

namespace {

constexpr std::string_view kCreateVersions =
    "CREATE TABLE IF NOT EXISTS schema_versions("
    "component TEXT NOT NULL, "
    "version INTEGER NOT NULL, "
    "applied_at TEXT NOT NULL, "
    "PRIMARY KEY(component, version))";

Result<void> ensureVersionsTable(Database& db) {
  return db.exec(kCreateVersions);
}

Result<int> readVersion(Database& db, std::string_view component) {
  auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_versions WHERE component = ?");
  if (!st) return st.takeError();
  st->bindText(1, component);
  auto row = st->step();
  if (!row) return row.takeError();
  return static_cast<int>(st->columnInt(0));
}

}  // namespace

Result<int> schemaVersion(Database& db, std::string_view component) {
  if (auto r = ensureVersionsTable(db); !r) return r.error();
  return readVersion(db, component);
}

Result<void> migrate(Database& db, std::string_view component,
                     std::span<const Migration> migrations) {
  const std::string name(component);
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return sqliteError("migrations of '" + name + "' must have strictly increasing versions " +
                         "from 1 (version " + std::to_string(m.version) + " after " +
                         std::to_string(previous) + ")");
    }
    previous = m.version;
  }
  const int known = previous;

  if (auto r = ensureVersionsTable(db); !r) return r;
  auto current = readVersion(db, component);
  if (!current) return current.takeError();
  if (*current > known) {
    return sqliteError("the database " + db.path().string() + " has schema version " +
                       std::to_string(*current) + " for '" + name +
                       "', newer than this build of sluice knows (" + std::to_string(known) +
                       "); use a newer sluice or another data directory");
  }

  for (const Migration& m : migrations) {
    if (m.version <= *current) continue;
    auto txn = Transaction::begin(db, Transaction::Mode::Immediate);
    if (!txn) return txn.takeError();
    // Re-read under the write lock: another process may have migrated since.
    auto now = readVersion(db, component);
    if (!now) return now.takeError();
    if (*now >= m.version) {
      *current = *now;
      continue;
    }
    if (auto r = db.exec(m.sql); !r) {
      std::string_view cause = r.error().message;
      if (cause.starts_with("sqlite: ")) cause.remove_prefix(8);
      return sqliteError("migration " + name + " v" + std::to_string(m.version) +
                         " failed: " + std::string(cause));
    }
    auto st = db.prepare(
        "INSERT INTO schema_versions(component, version, applied_at) "
        "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    if (!st) return st.takeError();
    // applied_at is an operator's note from the wall clock, not domain time.
    if (auto r = st->bindText(1, component).bindInt(2, m.version).run(); !r) return r;
    if (auto r = txn->commit(); !r) return r;
    *current = m.version;
  }
  return {};
}

}  // namespace sluice::store::sqlite
