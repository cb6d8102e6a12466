// The states service's tables in the metadata store (see persistence.cpp).
#pragma once

#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services::states {

store::sqlite::Component storeComponent();

}  // namespace sluice::services::states
