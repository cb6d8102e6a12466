#include "store/sqlite/sqlite_store.hpp"

#include <utility>

namespace sluice::store::sqlite {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       std::span<const Component> components,
                                                       const StoreOptions& options) {
  OpenOptions writable = options.database;
  writable.readOnly = false;
  auto db = Database::open(path, writable);
  if (!db) return db.takeError();
  for (const Component& c : components) {
    if (auto r = migrate(*db, c.name, c.migrations); !r) return r.error();
  }
  // Checkpoints run beside the writer (checkpointer.hpp), not inside commits.
  if (auto r = db->exec("PRAGMA wal_autocheckpoint=0"); !r) return r.error();
  auto checkpointer = Checkpointer::start(path, options.database);
  if (!checkpointer) return checkpointer.error();
  auto writer = std::make_unique<WriteQueue>(std::move(db).value(), options.writer);
  auto readers = std::make_unique<ReadPool>(path, options.database, options.readConnections);
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::move(writer), std::move(readers), std::move(*checkpointer)));
}

}  // namespace sluice::store::sqlite
