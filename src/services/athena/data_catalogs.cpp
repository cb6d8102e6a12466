// Athena's view of the catalog: ListDataCatalogs, GetDataCatalog,
// ListDatabases, GetDatabase, ListTableMetadata, GetTableMetadata. The one
// data catalog is AwsDataCatalog, the Glue Data Catalog: every answer comes
// from Glue's own operations, called through the registry.
#include <regex>

#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_service.hpp"
#include "services/athena/statement_tokens.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::athena {

namespace {

constexpr const char* kCatalog = "AwsDataCatalog";

AwsError metadataError(std::string message) {
  return AwsError{"MetadataException", std::move(message), 400};
}

bool isCatalog(const Json& in, const char* member) {
  const Json* c = in.is_object() ? in.as_object().if_contains(member) : nullptr;
  if (!c || !c->is_string()) return false;
  std::string name(c->get_string());
  for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name == "awsdatacatalog";
}

Json database(const Json& glue) {
  const JsonObject& d = glue.as_object();
  JsonObject out{{"Name", d.at("Name")}};
  if (const Json* v = d.if_contains("Description")) out["Description"] = *v;
  out["Parameters"] = d.contains("Parameters") ? d.at("Parameters") : Json(JsonObject{});
  return out;
}

Json tableMetadata(const Json& glue) {
  const JsonObject& t = glue.as_object();
  JsonObject out{{"Name", t.at("Name")}};
  if (const Json* v = t.if_contains("CreateTime")) out["CreateTime"] = *v;
  if (const Json* v = t.if_contains("LastAccessTime")) out["LastAccessTime"] = *v;
  if (const Json* v = t.if_contains("TableType")) out["TableType"] = *v;
  JsonArray columns;
  if (const Json* sd = t.if_contains("StorageDescriptor"); sd && sd->is_object()) {
    if (const Json* c = sd->as_object().if_contains("Columns"); c && c->is_array()) {
      columns = c->as_array();
    }
  }
  out["Columns"] = std::move(columns);
  out["PartitionKeys"] = t.contains("PartitionKeys") ? t.at("PartitionKeys") : Json(JsonArray{});
  JsonObject parameters;
  if (const Json* p = t.if_contains("Parameters"); p && p->is_object()) parameters = p->as_object();
  if (const Json* sd = t.if_contains("StorageDescriptor"); sd && sd->is_object()) {
    // Athena shows the storage descriptor's essentials among the parameters.
    for (const char* k : {"Location", "InputFormat", "OutputFormat"}) {
      if (const Json* v = sd->as_object().if_contains(k); v && v->is_string()) {
        std::string key = k == std::string("Location")      ? "location"
                          : k == std::string("InputFormat") ? "inputformat"
                                                            : "outputformat";
        parameters[key] = *v;
      }
    }
    if (const Json* s = sd->as_object().if_contains("SerdeInfo"); s && s->is_object()) {
      if (const Json* lib = s->as_object().if_contains("SerializationLibrary")) {
        parameters["serde.serialization.lib"] = *lib;
      }
    }
  }
  out["Parameters"] = std::move(parameters);
  return out;
}

}  // namespace

void AthenaService::registerCatalogOperations(OperationRegistry& registry) {
  auto glue = [&registry](const CallContext& ctx, const char* op, Json in,
                          std::function<void(Result<Json>)> then) {
    CallContext c;
    c.scope = ctx.scope;
    registry.call("glue", op, in, c, std::move(then));
  };
  registry.add("athena", "ListDataCatalogs", [](const Json&, const CallContext&, Reply reply) {
    reply(Json(JsonObject{{"DataCatalogsSummary",
                           JsonArray{JsonObject{{"CatalogName", kCatalog}, {"Type", "GLUE"}}}}}));
  });
  registry.add("athena", "GetDataCatalog", [](const Json& in, const CallContext& ctx, Reply reply) {
    if (!isCatalog(in, "Name")) {
      return reply(
          invalidRequest("Catalog " +
                         std::string(Input(in).get("Name") && Input(in).get("Name")->is_string()
                                         ? Input(in).get("Name")->get_string()
                                         : "") +
                         " was not found."));
    }
    reply(Json(
        JsonObject{{"DataCatalog",
                    JsonObject{{"Name", kCatalog},
                               {"Description", "AWS Glue Data Catalog"},
                               {"Type", "GLUE"},
                               {"Parameters", JsonObject{{"catalog-id", ctx.scope.account}}}}}}));
  });
  registry.add(
      "athena", "ListDatabases", [glue](const Json& in, const CallContext& ctx, Reply reply) {
        if (!isCatalog(in, "CatalogName")) return reply(metadataError("Catalog not found."));
        JsonObject q;
        if (const Json* t = Input(in).get("NextToken")) q["NextToken"] = *t;
        q["MaxResults"] = Input(in).get("MaxResults") ? *Input(in).get("MaxResults") : Json(50);
        glue(ctx, "GetDatabases", q, [reply](Result<Json> r) {
          if (!r) return reply(metadataError(r.error().message));
          JsonArray out;
          for (const Json& d : r->as_object().at("DatabaseList").as_array()) {
            out.push_back(database(d));
          }
          JsonObject o{{"DatabaseList", std::move(out)}};
          if (const Json* t = r->as_object().if_contains("NextToken")) o["NextToken"] = *t;
          reply(Json(std::move(o)));
        });
      });
  registry.add(
      "athena", "GetDatabase", [glue](const Json& in, const CallContext& ctx, Reply reply) {
        if (!isCatalog(in, "CatalogName")) return reply(metadataError("Catalog not found."));
        auto name = Input(in).requiredString("DatabaseName");
        if (!name) return reply(name.error());
        glue(ctx, "GetDatabase", JsonObject{{"Name", *name}}, [reply, n = *name](Result<Json> r) {
          if (!r) return reply(metadataError("Database " + n + " not found."));
          reply(Json(JsonObject{{"Database", database(r->as_object().at("Database"))}}));
        });
      });
  registry.add(
      "athena", "ListTableMetadata", [glue](const Json& in, const CallContext& ctx, Reply reply) {
        if (!isCatalog(in, "CatalogName")) return reply(metadataError("Catalog not found."));
        auto db = Input(in).requiredString("DatabaseName");
        if (!db) return reply(db.error());
        JsonObject q{{"DatabaseName", *db}};
        if (const Json* t = Input(in).get("NextToken")) q["NextToken"] = *t;
        q["MaxResults"] = Input(in).get("MaxResults") ? *Input(in).get("MaxResults") : Json(50);
        // Athena's Expression is a pattern with * wildcards and | alternatives.
        if (const Json* e = Input(in).get("Expression"); e && e->is_string()) {
          std::string re = namePatternRegex(e->get_string());
          q["Expression"] = re;
        }
        glue(ctx, "GetTables", q, [reply, d = *db](Result<Json> r) {
          if (!r) return reply(metadataError("Database " + d + " not found."));
          JsonArray out;
          for (const Json& t : r->as_object().at("TableList").as_array()) {
            out.push_back(tableMetadata(t));
          }
          JsonObject o{{"TableMetadataList", std::move(out)}};
          if (const Json* t = r->as_object().if_contains("NextToken")) o["NextToken"] = *t;
          reply(Json(std::move(o)));
        });
      });
  registry.add(
      "athena", "GetTableMetadata", [glue](const Json& in, const CallContext& ctx, Reply reply) {
        if (!isCatalog(in, "CatalogName")) return reply(metadataError("Catalog not found."));
        auto db = Input(in).requiredString("DatabaseName");
        if (!db) return reply(db.error());
        auto table = Input(in).requiredString("TableName");
        if (!table) return reply(table.error());
        glue(
            ctx, "GetTable", JsonObject{{"DatabaseName", *db}, {"Name", *table}},
            [reply, d = *db, t = *table](Result<Json> r) {
              if (!r) {
                return reply(metadataError("Table " + t + " not found in database " + d + "."));
              }
              reply(Json(JsonObject{{"TableMetadata", tableMetadata(r->as_object().at("Table"))}}));
            });
      });
}

}  // namespace sluice::services::athena
