// Named values kept across restarts that belong to no one table of their
// own, such as the virtual clock's current time ("clock.virtual").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::store::sqlite {

Component settingsComponent();
Result<std::optional<std::string>> readSetting(Database& db, std::string_view key);
Result<void> writeSetting(Database& db, std::string_view key, std::string_view value);

}  // namespace sluice::store::sqlite
