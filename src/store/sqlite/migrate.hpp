// Schema migrations. Each component (a service's store, the engine's
// executions, ...) owns an ordered list of migrations; version N's SQL turns
// the component's schema at version N-1 into version N. Lists only grow:
// a shipped migration is never edited, a change is a new version.
//
//   constexpr sqlite::Migration kQueueMigrations[] = {
//       {1, "CREATE TABLE sqs_queues(account TEXT NOT NULL, region TEXT NOT NULL, "
//           "name TEXT NOT NULL, attributes TEXT NOT NULL, PRIMARY KEY(account, region, name))"},
//       {2, "ALTER TABLE sqs_queues ADD COLUMN tags TEXT NOT NULL DEFAULT '{}'"},
//   };
//   if (auto r = sqlite::migrate(db, "sqs", kQueueMigrations); !r) return r;
//
// Applied versions are recorded in schema_versions(component, version,
// applied_at). A database whose recorded version for a component is newer
// than the code knows (written by a newer sluice) is refused rather than
// used with a schema the code does not understand.
#pragma once

#include <span>
#include <string_view>

#include "core/error.hpp"
#include "store/sqlite/database.hpp"

namespace sluice::store::sqlite {

struct Migration {
  int version;           // 1, 2, 3, ... strictly increasing in a list
  std::string_view sql;  // one or more statements
};

// Applies the migrations of `component` that the database has not recorded
// yet, each in its own IMMEDIATE transaction together with its
// schema_versions row (a failing migration changes nothing). Idempotent, and
// safe against another process migrating the same file at the same time.
// Must be called outside a transaction.
Result<void> migrate(Database& db, std::string_view component,
                     std::span<const Migration> migrations);

// The highest version recorded for `component`; 0 when none.
Result<int> schemaVersion(Database& db, std::string_view component);

}  // namespace sluice::store::sqlite
