// Custom classifiers: CreateClassifier, GetClassifier, GetClassifiers,
// UpdateClassifier, DeleteClassifier, and the form crawls apply them in.
// A classifier is small configuration: one document of glue_classifiers,
// held in memory and written through. Crawls try a crawler's classifiers in
// its order before the built-in ones (lake/file_format.hpp): JSON
// classifiers (JsonPaths of names and [*], lake/json_records.hpp) and CSV
// classifiers; Grok and XML
// classifiers are kept but never match (their formats are not read here).
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

constexpr const char* kTable = "glue_classifiers";
constexpr const char* kKinds[] = {"GrokClassifier", "XMLClassifier", "JsonClassifier",
                                  "CsvClassifier"};

// The one classifier member of a Create/UpdateClassifier input, and its kind.
Result<std::pair<std::string, JsonObject>> classifierInput(const Json& in, bool update) {
  std::string kind;
  JsonObject spec;
  for (const char* k : kKinds) {
    if (const Json* v = jsonAt(in, {k}); v && v->is_object()) {
      if (!kind.empty()) return invalidInput("Only one classifier can be specified.");
      kind = k;
      spec = v->as_object();
    }
  }
  if (kind.empty()) return invalidInput("A classifier must be specified.");
  std::string name = jsonString(spec.if_contains("Name"));
  if (name.empty() || name.size() > 255) {
    return invalidInput("Classifier name must be 1 to 255 characters.");
  }
  if (kind == "GrokClassifier" && !update &&
      (jsonString(spec.if_contains("Classification")).empty() ||
       jsonString(spec.if_contains("GrokPattern")).empty())) {
    return invalidInput("A Grok classifier needs a Classification and a GrokPattern.");
  }
  if (kind == "XMLClassifier" && !update &&
      jsonString(spec.if_contains("Classification")).empty()) {
    return invalidInput("An XML classifier needs a Classification.");
  }
  if (kind == "JsonClassifier" && !update && jsonString(spec.if_contains("JsonPath")).empty()) {
    return invalidInput("A JSON classifier needs a JsonPath.");
  }
  if (kind == "CsvClassifier") {
    std::string d = jsonString(spec.if_contains("Delimiter"));
    if (d.size() > 1) return invalidInput("Delimiter must be a single character.");
    std::string h = jsonString(spec.if_contains("ContainsHeader"));
    if (!h.empty() && h != "PRESENT" && h != "ABSENT" && h != "UNKNOWN") {
      return invalidInput("ContainsHeader must be PRESENT, ABSENT or UNKNOWN.");
    }
  }
  return std::make_pair(kind, std::move(spec));
}

// The GetClassifier shape of a stored classifier.
Json classifierView(const Json& doc) {
  JsonObject out;
  for (const auto& kv : doc.as_object()) out[kv.key()] = kv.value();
  return out;
}

}  // namespace

Result<Change> GlueService::createClassifier(const Json& in, const CallContext& ctx) {
  auto input = classifierInput(in, false);
  if (!input) return input.error();
  auto& [kind, spec] = *input;
  std::string name = jsonString(spec.if_contains("Name"));
  auto& mine = classifiers_[scopeKey(ctx.scope)];
  if (mine.count(name)) return alreadyExists(name + " already exists.");
  Json now = epochSeconds(clock_.now());
  spec["CreationTime"] = now;
  spec["LastUpdated"] = now;
  spec["Version"] = 1;
  if (kind == "CsvClassifier") {
    if (!spec.contains("Delimiter")) spec["Delimiter"] = ",";
    if (!spec.contains("QuoteSymbol")) spec["QuoteSymbol"] = "\"";
    if (!spec.contains("ContainsHeader")) spec["ContainsHeader"] = "UNKNOWN";
  }
  Json doc = JsonObject{{kind, spec}};
  Change change;
  change.batch.put(kTable, ctx.scope, name, doc);
  mine[name] = std::move(doc);
  return change;
}

Result<Change> GlueService::getClassifier(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto& mine = classifiers_[scopeKey(ctx.scope)];
  auto it = mine.find(*name);
  if (it == mine.end()) return entityNotFound("Classifier with name " + *name + " not found.");
  return Change(JsonObject{{"Classifier", classifierView(it->second)}});
}

Result<Change> GlueService::getClassifiers(const Json& in, const CallContext& ctx) {
  auto page = readPage(in, 1000);
  if (!page) return page.error();
  auto& mine = classifiers_[scopeKey(ctx.scope)];
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = mine.upper_bound(page->after); it != mine.end(); ++it) {
    if (out.size() == page->limit) {
      more = true;
      break;
    }
    out.push_back(classifierView(it->second));
    last = it->first;
  }
  JsonObject r{{"Classifiers", std::move(out)}};
  if (more) r["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(r)));
}

Result<Change> GlueService::updateClassifier(const Json& in, const CallContext& ctx) {
  auto input = classifierInput(in, true);
  if (!input) return input.error();
  auto& [kind, spec] = *input;
  std::string name = jsonString(spec.if_contains("Name"));
  auto& mine = classifiers_[scopeKey(ctx.scope)];
  auto it = mine.find(name);
  if (it == mine.end()) return entityNotFound("Classifier with name " + name + " not found.");
  Json* current = it->second.as_object().if_contains(kind);
  if (!current) {
    return invalidInput("Classifier " + name + " is not a " + kind +
                        "; it cannot be updated as one.");
  }
  JsonObject& c = current->as_object();
  for (const auto& kv : spec) c[kv.key()] = kv.value();
  c["LastUpdated"] = epochSeconds(clock_.now());
  c["Version"] = c.contains("Version") ? c["Version"].to_number<int64_t>() + 1 : 1;
  Change change;
  change.batch.put(kTable, ctx.scope, name, it->second);
  return change;
}

Result<Change> GlueService::deleteClassifier(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  auto& mine = classifiers_[scopeKey(ctx.scope)];
  if (!mine.erase(*name)) return entityNotFound("Classifier with name " + *name + " not found.");
  Change change;
  change.batch.erase(kTable, ctx.scope, *name);
  return change;
}

Result<std::vector<lake::CustomClassifier>> GlueService::crawlerClassifiers(const Scope& scope,
                                                                            const Json& names) {
  std::vector<lake::CustomClassifier> out;
  if (!names.is_array()) return out;
  auto& mine = classifiers_[scopeKey(scope)];
  for (const Json& n : names.as_array()) {
    std::string name = jsonString(&n);
    auto it = mine.find(name);
    if (it == mine.end()) return entityNotFound("Classifier with name " + name + " not found.");
    const JsonObject& doc = it->second.as_object();
    lake::CustomClassifier c;
    if (const Json* j = doc.if_contains("JsonClassifier")) {
      c.kind = "json";
      c.jsonPath = jsonString(jsonAt(*j, {"JsonPath"}));
    } else if (const Json* v = doc.if_contains("CsvClassifier")) {
      c.kind = "csv";
      std::string d = jsonString(jsonAt(*v, {"Delimiter"}));
      c.delimiter = d.empty() ? ',' : d[0];
      c.containsHeader = jsonString(jsonAt(*v, {"ContainsHeader"}));
      if (const Json* h = jsonAt(*v, {"Header"}); h && h->is_array()) {
        for (const Json& name : h->as_array()) c.header.push_back(jsonString(&name));
      }
      if (const Json* a = jsonAt(*v, {"AllowSingleColumn"}); a && a->is_bool()) {
        c.allowSingleColumn = a->as_bool();
      }
    } else {
      c.kind = doc.contains("GrokClassifier") ? "grok" : "xml";
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sluice::services::glue
