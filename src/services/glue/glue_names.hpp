// Glue's errors, names and paging, shared by the catalog's operations.
#pragma once

#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::services::glue {

inline AwsError entityNotFound(std::string message) {
  return {"EntityNotFoundException", std::move(message), 400};
}
inline AwsError alreadyExists(std::string message) {
  return {"AlreadyExistsException", std::move(message), 400};
}
inline AwsError invalidInput(std::string message) {
  return {"InvalidInputException", std::move(message), 400};
}

// Glue keeps database and table names in lower case.
std::string lowerName(std::string_view name);
// The `member` of `object` as a catalog name: present, 1-255 characters, a
// single line; lower-cased.
Result<std::string> checkedName(const Json& object, std::string_view member);

// A request's DatabaseName and TableName, lower-cased (partition and table
// version operations name their table so).
struct TableRef {
  std::string db, table;
};
Result<TableRef> readTableRef(const Json& in);

// NextToken / MaxResults paging over keys in order.
struct GluePage {
  size_t limit;
  std::string after;
};
Result<GluePage> readPage(const Json& in, size_t maxLimit);

// `digits` random lower-case hex digits (run and result ids: jr_..., dqrun-...).
std::string hexId(IdGenerator& ids, size_t digits);

// A stored document as the API shows it: members starting with `_` are
// Sluice's own (times in milliseconds for the store's columns, ...).
Json publicView(const Json& doc);

// Milliseconds since the epoch (the stores' time columns).
inline int64_t epochMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace sluice::services::glue
