#include "store/sqlite/settings.hpp"

namespace sluice::store::sqlite {

namespace {
constexpr Migration kMigrations[] = {
    {1, "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL)"},
};
}  // namespace

Component settingsComponent() {
  return {"settings", kMigrations};
}

Result<std::optional<std::string>> readSetting(Database& db, std::string_view key) {
  auto st = db.prepare("SELECT value FROM settings WHERE key = ?");
  if (!st) return st.error();
  st->bindAll(key);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(std::string(st->columnText(0)));
}

Result<void> writeSetting(Database& db, std::string_view key, std::string_view value) {
  auto st = db.prepare(
      "INSERT INTO settings(key, value) VALUES (?, ?) "
      "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!st) return st.error();
  return st->bindAll(key, value).run();
}

}  // namespace sluice::store::sqlite
