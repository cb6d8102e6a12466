#include "services/glue/glue_names.hpp"

#include <cctype>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::glue {

std::string lowerName(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<std::string> checkedName(const Json& object, std::string_view member) {
  const Json* v = object.is_object() ? object.as_object().if_contains(member) : nullptr;
  if (!v || !v->is_string() || v->get_string().empty()) {
    return invalidInput(std::string(member) + " is required and must be a non-empty string.");
  }
  std::string_view name = v->get_string();
  if (name.size() > 255) {
    return invalidInput(std::string(member) + " must be at most 255 characters long.");
  }
  if (name.find_first_of("\r\n") != std::string_view::npos) {
    return invalidInput(std::string(member) + " must be a single line.");
  }
  return lowerName(name);
}

Result<TableRef> readTableRef(const Json& in) {
  auto db = Input(in).requiredString("DatabaseName");
  if (!db) return db.error();
  auto table = Input(in).requiredString("TableName");
  if (!table) return table.error();
  return TableRef{lowerName(*db), lowerName(*table)};
}

Result<GluePage> readPage(const Json& in, size_t maxLimit) {
  Input input(in);
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  if (*max && (**max < 1 || static_cast<size_t>(**max) > maxLimit)) {
    return invalidInput("MaxResults must be between 1 and " + std::to_string(maxLimit) + ".");
  }
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  GluePage page{static_cast<size_t>(max->value_or(static_cast<int64_t>(maxLimit))), ""};
  if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key) return invalidInput("Invalid pagination token.");
    page.after = *key;
  }
  return page;
}

std::string hexId(IdGenerator& ids, size_t digits) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < digits; ++i) out += hex[ids.uniform(0, 15)];
  return out;
}

Json publicView(const Json& doc) {
  JsonObject out;
  for (const auto& kv : doc.as_object()) {
    if (!kv.key().starts_with("_")) out[kv.key()] = kv.value();
  }
  return out;
}

}  // namespace sluice::services::glue
