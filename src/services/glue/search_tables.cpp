// SearchTables: every table of the account and region matching Filters and
// SearchText, sorted by SortCriteria. String filters compare tokens, as Glue
// does: the field is split at punctuation and any token equal to the value
// (ignoring case) matches. Time filters (CreateTime, UpdateTime,
// LastAccessTime) take the comparators. SearchText matches, ignoring case,
// within the name, database, description, owner, column names and comments,
// parameters and location; in double quotes it must equal one of them.
#include <algorithm>
#include <cctype>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_names.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> tokens(std::string_view s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.back().empty()) {
      out.emplace_back();
    }
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

const Json* field(const JsonObject& table, const std::string& key) {
  if (key.starts_with("Parameters.")) {
    const Json* p = table.if_contains("Parameters");
    return p && p->is_object() ? p->as_object().if_contains(key.substr(11)) : nullptr;
  }
  if (key == "TableName") return table.if_contains("Name");
  if (key == "Location") {
    const Json* sd = table.if_contains("StorageDescriptor");
    return sd && sd->is_object() ? sd->as_object().if_contains("Location") : nullptr;
  }
  return table.if_contains(key);
}

// Every text of a table SearchText looks at.
std::vector<std::string> texts(const JsonObject& table) {
  std::vector<std::string> out;
  auto add = [&](const Json* v) {
    if (v && v->is_string()) out.emplace_back(v->get_string());
  };
  for (const char* k : {"Name", "DatabaseName", "Description", "Owner", "TableType"}) {
    add(table.if_contains(k));
  }
  if (const Json* sd = table.if_contains("StorageDescriptor"); sd && sd->is_object()) {
    add(sd->as_object().if_contains("Location"));
    if (const Json* cols = sd->as_object().if_contains("Columns"); cols && cols->is_array()) {
      for (const Json& c : cols->as_array()) {
        if (!c.is_object()) continue;
        add(c.as_object().if_contains("Name"));
        add(c.as_object().if_contains("Comment"));
      }
    }
  }
  if (const Json* keys = table.if_contains("PartitionKeys"); keys && keys->is_array()) {
    for (const Json& k : keys->as_array()) {
      if (k.is_object()) add(k.as_object().if_contains("Name"));
    }
  }
  if (const Json* p = table.if_contains("Parameters"); p && p->is_object()) {
    for (const auto& kv : p->as_object()) add(&kv.value());
  }
  return out;
}

Result<bool> passes(const JsonObject& table, const JsonObject& predicate) {
  const Json* key = predicate.if_contains("Key");
  const Json* value = predicate.if_contains("Value");
  if (!key || !key->is_string() || !value || !value->is_string()) {
    return invalidInput("Each filter needs a Key and a Value.");
  }
  std::string k(key->get_string());
  std::string comparator = "EQUALS";
  if (const Json* c = predicate.if_contains("Comparator"); c && c->is_string()) {
    comparator = std::string(c->get_string());
  }
  const Json* v = field(table, k);
  if (k == "CreateTime" || k == "UpdateTime" || k == "LastAccessTime" || k == "LastAnalyzedTime") {
    if (!v || !v->is_number()) return false;
    double have = v->to_number<double>();
    double want = 0;
    try {
      want = std::stod(std::string(value->get_string()));
    } catch (const std::exception&) {
      return invalidInput("The value of a time filter is seconds since the epoch: " +
                          std::string(value->get_string()));
    }
    if (comparator == "GREATER_THAN") return have > want;
    if (comparator == "LESS_THAN") return have < want;
    if (comparator == "GREATER_THAN_EQUALS") return have >= want;
    if (comparator == "LESS_THAN_EQUALS") return have <= want;
    return have == want;
  }
  if (!v || !v->is_string()) return false;
  std::string want = lower(value->get_string());
  if (lower(v->get_string()) == want) return true;
  auto have = tokens(v->get_string());
  return std::find(have.begin(), have.end(), want) != have.end();
}

bool matchesText(const JsonObject& table, std::string text) {
  bool exact = text.size() >= 2 && text.front() == '"' && text.back() == '"';
  if (exact) text = text.substr(1, text.size() - 2);
  text = lower(text);
  for (const auto& t : texts(table)) {
    std::string l = lower(t);
    if (exact ? l == text : l.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

Result<Change> GlueService::searchTables(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  auto text = Input(in).optionalString("SearchText");
  if (!text) return text.error();
  const Json* filters = Input(in).get("Filters");
  std::vector<const Json*> found;
  for (const auto& [key, table] : tables_[scopeKey(ctx.scope)]) {
    const JsonObject& t = table.as_object();
    if (*text && !(*text)->empty() && !matchesText(t, **text)) continue;
    bool all = true;
    if (filters && filters->is_array()) {
      for (const Json& f : filters->as_array()) {
        if (!f.is_object()) return invalidInput("Each filter must be an object.");
        auto ok = passes(t, f.as_object());
        if (!ok) return ok.error();
        all = all && *ok;
      }
    }
    if (all) found.push_back(&table);
  }
  // SortCriteria: at most one, on a top-level field; then database and name.
  std::string sortField;
  bool descending = false;
  if (const Json* sort = Input(in).get("SortCriteria"); sort && sort->is_array()) {
    if (sort->as_array().size() > 1) return invalidInput("SortCriteria takes one criterion.");
    if (!sort->as_array().empty()) {
      const JsonObject& c = sort->as_array()[0].as_object();
      if (const Json* f = c.if_contains("FieldName"); f && f->is_string()) {
        sortField = std::string(f->get_string());
      }
      if (const Json* s = c.if_contains("Sort"); s && s->is_string()) descending = *s == "DESC";
    }
  }
  if (!sortField.empty()) {
    std::stable_sort(found.begin(), found.end(), [&](const Json* a, const Json* b) {
      const Json* x = field(a->as_object(), sortField);
      const Json* y = field(b->as_object(), sortField);
      auto text = [](const Json* v) -> std::string {
        if (!v) return "";
        if (v->is_string()) return lower(v->get_string());
        if (v->is_number()) {
          char buf[32];
          std::snprintf(buf, sizeof buf, "%020.6f", v->to_number<double>());
          return buf;
        }
        return toJsonText(*v);
      };
      return descending ? text(x) > text(y) : text(x) < text(y);
    });
  }
  // The token is the position in this order.
  size_t start = 0;
  if (!page->after.empty()) {
    try {
      start = std::stoul(page->after);
    } catch (const std::exception&) {
      return invalidInput("Invalid pagination token.");
    }
  }
  JsonArray out;
  for (size_t i = start; i < found.size() && out.size() < page->limit; ++i) {
    out.push_back(*found[i]);
  }
  JsonObject r{{"TableList", std::move(out)}};
  if (start + page->limit < found.size()) {
    r["NextToken"] = encodePageToken(std::to_string(start + page->limit));
  }
  return Change(Json(std::move(r)));
}

}  // namespace sluice::services::glue
