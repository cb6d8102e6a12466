#include "store/sqlite/sqlite_store.hpp"

#include <system_error>
#include <utility>

#include "store/data_dir.hpp"

namespace sluice::store::sqlite {

namespace {

namespace fs = std::filesystem;

// A new database is built whole under a temporary name, in WAL mode and
// migrated, without an fsync per step; then it is fsynced once and renamed
// into place. A crash before the rename leaves no database (the leftover is
// replaced on the next start), never a half-made one.
Result<void> createDatabase(const fs::path& path, std::span<const Component> components,
                            const OpenOptions& options) {
  fs::path temp = path;
  temp += ".creating";
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    fs::remove(fs::path(temp.string() + suffix), ec);
  }
  {
    OpenOptions building = options;
    building.sync = Sync::Off;
    building.create = true;
    auto db = Database::open(temp, building);
    if (!db) return db.takeError();
    for (const Component& c : components) {
      if (auto r = migrate(*db, c.name, c.migrations); !r) return r;
    }
  }  // the last connection's close checkpoints the WAL into the file
  if (auto r = syncFile(temp); !r) return r;
  if (!fs::exists(path)) fs::rename(temp, path, ec);
  if (ec) return AwsError::internal("cannot create " + path.string() + ": " + ec.message());
  fs::path dir = path.parent_path();
  return syncDirectory(dir.empty() ? fs::path(".") : dir);
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       std::span<const Component> components,
                                                       const StoreOptions& options) {
  OpenOptions writable = options.database;
  writable.readOnly = false;
  if (path != ":memory:" && !fs::exists(path)) {
    if (auto r = createDatabase(path, components, writable); !r) return r.error();
  }
  auto db = Database::open(path, writable);
  if (!db) return db.takeError();
  for (const Component& c : components) {
    if (auto r = migrate(*db, c.name, c.migrations); !r) return r.error();
  }
  // Checkpoints run beside the writer (checkpointer.hpp), not inside commits.
  if (auto r = db->exec("PRAGMA wal_autocheckpoint=0"); !r) return r.error();
  auto checkpointer =
      Checkpointer::start(path, options.database, options.checkpointPeriod, options.walLimitBytes);
  if (!checkpointer) return checkpointer.error();
  auto writer = std::make_unique<WriteQueue>(std::move(db).value(), options.writer);
  auto readers = std::make_unique<ReadPool>(path, options.database, options.readConnections);
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(writer), std::move(readers), std::move(*checkpointer)));
}

}  // namespace sluice::store::sqlite
