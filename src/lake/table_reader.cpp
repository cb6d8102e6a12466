#include "lake/table_reader.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "lake/duckdb.hpp"
#include "lake/glue_types.hpp"
#include "lake/json_records.hpp"

namespace sluice::lake {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string tableReader(const Json& table, const TableFiles& data) {
  const Json* sd = jsonAt(table, {"StorageDescriptor"});
  std::vector<std::pair<std::string, std::string>> columns;  // name, DuckDB type
  if (const Json* cols = sd ? jsonAt(*sd, {"Columns"}) : nullptr; cols && cols->is_array()) {
    for (const Json& c : cols->as_array()) {
      columns.emplace_back(lower(jsonString(jsonAt(c, {"Name"}))),
                           duckdbType(jsonString(jsonAt(c, {"Type"}))));
    }
  }
  std::vector<std::pair<std::string, std::string>> keys;
  if (const Json* pk = jsonAt(table, {"PartitionKeys"}); pk && pk->is_array()) {
    for (const Json& k : pk->as_array()) {
      keys.emplace_back(lower(jsonString(jsonAt(k, {"Name"}))),
                        duckdbType(jsonString(jsonAt(k, {"Type"}))));
    }
  }
  std::string select = "SELECT ";
  bool first = true;
  auto add = [&](const std::string& expr) {
    select += (first ? "" : ", ") + expr;
    first = false;
  };
  std::vector<std::string> files;
  for (const auto& part : data.parts)
    files.insert(files.end(), part.files.begin(), part.files.end());
  const std::string& dir = data.dir;
  if (files.empty()) {
    // No data: the table's shape, no rows.
    for (const auto& [n, t] : columns) add("CAST(NULL AS " + t + ") AS " + sqlIdent(n));
    for (const auto& [n, t] : keys) add("CAST(NULL AS " + t + ") AS " + sqlIdent(n));
    if (first) add("NULL AS \"_\"");
    return select + " WHERE false";
  }
  std::string serde =
      lower(jsonString(sd ? jsonAt(*sd, {"SerdeInfo", "SerializationLibrary"}) : nullptr));
  std::string input = lower(jsonString(sd ? jsonAt(*sd, {"InputFormat"}) : nullptr));
  std::string classification = lower(jsonString(jsonAt(table, {"Parameters", "classification"})));
  std::string list = "[";
  for (size_t i = 0; i < files.size(); ++i) list += (i ? "," : "") + sqlString(files[i]);
  list += "]";
  // Every file below the table's folder in key=value folders that name its
  // partition's values: DuckDB reads the keys itself and skips the files a
  // filter on them rules out. Otherwise each file's values are joined in.
  bool hive = !keys.empty();
  for (const auto& part : data.parts) {
    std::string folder = dir + "/";
    for (size_t k = 0; k < keys.size() && k < part.values.size(); ++k) {
      folder += keys[k].first + "=" + part.values[k] + "/";
    }
    for (const auto& f : part.files) {
      hive = hive && f.starts_with(folder) && f.find('/', folder.size()) == std::string::npos;
    }
    if (!hive) break;
  }
  std::string partitioning = ", hive_partitioning=false";
  if (hive) {
    partitioning = ", hive_partitioning=true, hive_types={";
    for (size_t k = 0; k < keys.size(); ++k) {
      partitioning += (k ? ", " : "") + sqlString(keys[k].first) + ": " + keys[k].second;
    }
    partitioning += "}";
  }
  std::string from;
  std::vector<std::string> sources;  // the column of each catalog column in the reader
  for (const auto& [n, _] : columns) sources.push_back(n);
  if (serde.find("parquet") != std::string::npos || input.find("parquet") != std::string::npos ||
      classification == "parquet") {
    from = "read_parquet(" + list + ", filename=true" + partitioning + ", union_by_name=true)";
  } else if (serde.find("json") != std::string::npos || classification == "json") {
    // The JSON keys as written (the SerDe's paths) for the lower-cased columns.
    std::string paths =
        jsonString(sd ? jsonAt(*sd, {"SerdeInfo", "Parameters", "paths"}) : nullptr);
    std::map<std::string, std::string> byLower;
    size_t start = 0;
    while (!paths.empty() && start <= paths.size()) {
      size_t comma = paths.find(',', start);
      if (comma == std::string::npos) comma = paths.size();
      std::string p = paths.substr(start, comma - start);
      byLower[lower(p)] = p;
      start = comma + 1;
    }
    std::string spec;
    for (size_t i = 0; i < columns.size(); ++i) {
      auto it = byLower.find(columns[i].first);
      if (it != byLower.end()) sources[i] = it->second;
      spec += (i ? ", " : "") + sqlString(sources[i]) + ": " + sqlString(columns[i].second);
    }
    std::string jsonPath = jsonString(jsonAt(table, {"Parameters", "jsonPath"}));
    auto path = parseJsonRecordPath(jsonPath);
    if (path && !path->steps.empty() && !(path->steps.size() == 1 && path->startsWithArray())) {
      // Records found by a classifier's JsonPath: read the documents as they
      // are, then take the records out (the columns are cast below).
      std::vector<std::string> carried{"filename"};
      if (hive) {
        for (const auto& [k, _] : keys) carried.push_back(k);
      }
      from = "(" +
             jsonRecordsSelect(*path,
                               "read_json(" + list + ", filename=true" + partitioning +
                                   ", format='auto', union_by_name=true)",
                               carried) +
             ")";
    } else {
      from = "read_json(" + list + ", filename=true" + partitioning + ", format='auto'" +
             (spec.empty() ? "" : ", columns={" + spec + "}") + ")";
    }
  } else {
    std::string delim =
        jsonString(sd ? jsonAt(*sd, {"SerdeInfo", "Parameters", "field.delim"}) : nullptr);
    if (delim.empty()) delim = serde.find("opencsv") != std::string::npos ? "," : "\x01";
    bool header = jsonString(jsonAt(table, {"Parameters", "skip.header.line.count"})) == "1";
    std::string spec;
    for (size_t i = 0; i < columns.size(); ++i) {
      spec += (i ? ", " : "") + sqlString(columns[i].first) + ": " + sqlString(columns[i].second);
    }
    from = "read_csv(" + list + ", filename=true" + partitioning +
           ", header=" + (header ? "true" : "false") + ", delim=" + sqlString(delim) +
           // As Hive reads lines: the catalog's columns (no sniffing), missing
           // fields NULL, extra ones ignored; quotes only for OpenCSVSerde.
           ", auto_detect=false, null_padding=true, strict_mode=false" +
           (serde.find("opencsv") != std::string::npos ? ", quote='\"', escape='\\'"
                                                       : ", quote='', escape=''") +
           (spec.empty() ? "" : ", columns={" + spec + "}") + ")";
  }
  if (keys.empty() || hive) {
    for (size_t i = 0; i < columns.size(); ++i) {
      add("CAST(" + sqlIdent(sources[i]) + " AS " + columns[i].second + ") AS " +
          sqlIdent(columns[i].first));
    }
    for (const auto& [k, _] : keys) add(sqlIdent(k));
    return select + " FROM " + from;
  }
  // Each file's partition values, the catalog's, joined by file name.
  std::string values;
  for (const auto& part : data.parts) {
    for (const auto& f : part.files) {
      values += std::string(values.empty() ? "" : ", ") + "(" + sqlString(f);
      for (size_t k = 0; k < keys.size(); ++k) {
        values += ", " + sqlString(k < part.values.size() ? part.values[k] : "");
      }
      values += ")";
    }
  }
  std::string names = "__sluice_file";
  for (size_t k = 0; k < keys.size(); ++k) names += ", __sluice_key" + std::to_string(k);
  for (size_t i = 0; i < columns.size(); ++i) {
    add("CAST(r." + sqlIdent(sources[i]) + " AS " + columns[i].second + ") AS " +
        sqlIdent(columns[i].first));
  }
  for (size_t k = 0; k < keys.size(); ++k) {
    // Hive's NULL partition is __HIVE_DEFAULT_PARTITION__.
    std::string v = "p.__sluice_key" + std::to_string(k);
    add("CAST(CASE WHEN " + v + " = '__HIVE_DEFAULT_PARTITION__' THEN NULL ELSE " + v + " END AS " +
        keys[k].second + ") AS " + sqlIdent(keys[k].first));
  }
  return select + " FROM " + from + " AS r JOIN (VALUES " + values + ") AS p(" + names +
         ") ON r.filename = p.__sluice_file";
}

}  // namespace sluice::lake
