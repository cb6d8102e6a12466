// Partitions and table versions as rows of glue_partitions and
// glue_table_versions, read by their primary keys.
#include "services/glue/catalog_store.hpp"

namespace sluice::services::glue {

namespace {

using store::sqlite::Database;
using store::sqlite::runStatement;

class SqlCatalogStore final : public CatalogStore {
 public:
  explicit SqlCatalogStore(store::sqlite::SqliteStore& store) : store_(store) {}

  void addPartition(DocumentBatch& batch, const Scope& scope, const TableRef& t,
                    const std::string& key, const Json& partition) override {
    writePartition(batch, "INSERT", scope, t, key, partition);
  }

  void putPartition(DocumentBatch& batch, const Scope& scope, const TableRef& t,
                    const std::string& key, const Json& partition) override {
    writePartition(batch, "INSERT OR REPLACE", scope, t, key, partition);
  }

  void erasePartition(DocumentBatch& batch, const Scope& scope, const TableRef& t,
                      const std::string& key) override {
    batch.sql([scope, t, key](Database& db) {
      return runStatement(db,
                          "DELETE FROM glue_partitions WHERE account = ? AND region = ? AND db = ? "
                          "AND tbl = ? AND vkey = ?",
                          scope.account, scope.region, t.db, t.table, key);
    });
  }

  Result<std::optional<Json>> partition(const Scope& scope, const TableRef& t,
                                        const std::string& key) override {
    return readOne(
        "SELECT doc FROM glue_partitions WHERE account = ? AND region = ? AND db = ? AND tbl = ? "
        "AND vkey = ?",
        "partition", scope, t, key);
  }

  Result<void> scanPartitions(const Scope& scope, const TableRef& t, const std::string& after,
                              const std::function<bool(const std::string&, Json)>& visit) override {
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT vkey, doc FROM glue_partitions WHERE account = ? AND region = ? AND db = ? AND "
        "tbl = ? AND vkey > ? ORDER BY vkey");
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, t.db, t.table, after);
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) return {};
      auto doc = parseJson(st->columnText(1));
      if (!doc) return AwsError::internal("corrupt partition in glue_partitions");
      if (!visit(std::string(st->columnText(0)), std::move(*doc))) return {};
    }
  }

  void putVersion(DocumentBatch& batch, const Scope& scope, const TableRef& t, int64_t version,
                  const Json& doc) override {
    batch.sql([scope, t, version, text = toJsonText(doc)](Database& db) {
      return runStatement(db,
                          "INSERT OR REPLACE INTO glue_table_versions(account, region, db, tbl, "
                          "version, doc) VALUES (?, ?, ?, ?, ?, ?)",
                          scope.account, scope.region, t.db, t.table, version, text);
    });
  }

  void eraseVersion(DocumentBatch& batch, const Scope& scope, const TableRef& t,
                    int64_t version) override {
    batch.sql([scope, t, version](Database& db) {
      return runStatement(db,
                          "DELETE FROM glue_table_versions WHERE account = ? AND region = ? AND "
                          "db = ? AND tbl = ? AND version = ?",
                          scope.account, scope.region, t.db, t.table, version);
    });
  }

  Result<std::optional<Json>> version(const Scope& scope, const TableRef& t,
                                      int64_t version) override {
    return readOne(
        "SELECT doc FROM glue_table_versions WHERE account = ? AND region = ? AND db = ? AND "
        "tbl = ? AND version = ?",
        "table version", scope, t, version);
  }

  Result<std::vector<std::pair<int64_t, Json>>> versions(const Scope& scope, const TableRef& t,
                                                         int64_t below, size_t limit) override {
    std::vector<std::pair<int64_t, Json>> out;
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT version, doc FROM glue_table_versions WHERE account = ? AND region = ? AND db = ? "
        "AND tbl = ? AND version < ? ORDER BY version DESC LIMIT ?");
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, t.db, t.table, below, static_cast<int64_t>(limit));
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) return out;
      auto doc = parseJson(st->columnText(1));
      if (!doc) return AwsError::internal("corrupt table version in glue_table_versions");
      out.emplace_back(st->columnInt(0), std::move(*doc));
    }
  }

  void dropTable(DocumentBatch& batch, const Scope& scope, const TableRef& t) override {
    for (const char* table : {"glue_partitions", "glue_table_versions"}) {
      std::string sql = std::string("DELETE FROM ") + table +
                        " WHERE account = ? AND region = ? AND db = ?" +
                        (t.table.empty() ? "" : " AND tbl = ?");
      batch.sql([scope, t, sql](Database& db) {
        return t.table.empty() ? runStatement(db, sql, scope.account, scope.region, t.db)
                               : runStatement(db, sql, scope.account, scope.region, t.db, t.table);
      });
    }
  }

 private:
  store::sqlite::SqliteStore& store_;

  static void writePartition(DocumentBatch& batch, std::string verb, const Scope& scope,
                             const TableRef& t, const std::string& key, const Json& partition) {
    batch.sql([sql = verb + " INTO glue_partitions(account, region, db, tbl, vkey, doc) VALUES "
                            "(?, ?, ?, ?, ?, ?)",
               scope, t, key, text = toJsonText(partition)](Database& db) {
      return runStatement(db, sql, scope.account, scope.region, t.db, t.table, key, text);
    });
  }

  // The one document a keyed SELECT finds, if any.
  template <typename Key>
  Result<std::optional<Json>> readOne(const char* sql, const char* what, const Scope& scope,
                                      const TableRef& t, const Key& key) {
    auto lease = store_.readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(sql);
    if (!st) return st.takeError();
    st->bindAll(scope.account, scope.region, t.db, t.table, key);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return std::optional<Json>();
    auto doc = parseJson(st->columnText(0));
    if (!doc) return AwsError::internal(std::string("corrupt ") + what + " in the Glue catalog");
    return std::optional<Json>(std::move(*doc));
  }
};

}  // namespace

std::unique_ptr<CatalogStore> makeSqlCatalogStore(store::sqlite::SqliteStore& store) {
  return std::make_unique<SqlCatalogStore>(store);
}

}  // namespace sluice::services::glue
