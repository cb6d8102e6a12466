#include "services/common/lake_writes.hpp"

#include <cctype>
#include <cstdio>
#include <set>

#include "lake/hive_bucketing.hpp"
#include "lake/object_snapshot.hpp"
#include "services/common/call_and_wait.hpp"
#include "store/spilled_body.hpp"

namespace sluice::services {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<WriteFormat> writeFormat(const std::string& name, const std::string& compression,
                                const std::string& delimiter) {
  WriteFormat f;
  std::string n = lower(name);
  if (n == "parquet") {
    f.classification = "parquet";
    f.duckFormat = "PARQUET";
    f.extension = ".parquet";
    std::string c = compression.empty() ? "gzip" : lower(compression);
    if (c != "gzip" && c != "snappy" && c != "zstd" && c != "none" && c != "uncompressed") {
      return AwsError{"INVALID_TABLE_PROPERTY",
                      "Unsupported compression for PARQUET: " + compression, 400};
    }
    f.options = ", COMPRESSION " + lake::sqlString(c == "none" ? "uncompressed" : c);
  } else if (n == "json") {
    f.classification = "json";
    f.duckFormat = "JSON";
    f.extension = ".json";
    if (!compression.empty() && lower(compression) != "none") {
      if (lower(compression) != "gzip" && lower(compression) != "zstd") {
        return AwsError{"INVALID_TABLE_PROPERTY",
                        "Unsupported compression for JSON: " + compression, 400};
      }
      f.options = ", COMPRESSION " + lake::sqlString(lower(compression));
      f.extension += lower(compression) == "gzip" ? ".gz" : ".zst";
    }
  } else if (n == "csv") {
    // CSV as Glue's writer makes it: a header line, comma-separated, quoted
    // where needed.
    f.classification = "csv";
    f.duckFormat = "CSV";
    f.extension = ".csv";
    f.delimiter = ',';
    f.options = ", HEADER true, DELIMITER ','";
    if (!compression.empty() && lower(compression) != "none") {
      if (lower(compression) != "gzip") {
        return AwsError{"INVALID_TABLE_PROPERTY", "Unsupported compression for CSV: " + compression,
                        400};
      }
      f.options += ", COMPRESSION 'gzip'";
      f.extension += ".gz";
    }
  } else if (n == "textfile") {
    f.classification = "csv";
    f.duckFormat = "CSV";
    f.extension = ".txt";
    if (!delimiter.empty()) f.delimiter = delimiter[0];
    f.options = ", HEADER false, DELIMITER " + lake::sqlString(std::string(1, f.delimiter));
    if (!compression.empty() && lower(compression) != "none") {
      if (lower(compression) != "gzip") {
        return AwsError{"INVALID_TABLE_PROPERTY",
                        "Unsupported compression for TEXTFILE: " + compression, 400};
      }
      f.options += ", COMPRESSION 'gzip'";
      f.extension += ".gz";
    }
  } else {
    return AwsError{
        "NOT_SUPPORTED",
        "Sluice writes PARQUET, JSON and TEXTFILE tables; format '" + name + "' is not built", 400};
  }
  return f;
}

JsonObject storageDescriptorFor(const WriteFormat& f, JsonArray columns,
                                const std::string& location) {
  JsonObject serde;
  std::string input = "org.apache.hadoop.mapred.TextInputFormat";
  std::string output = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
  if (f.classification == "parquet") {
    input = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    output = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    serde = JsonObject{
        {"SerializationLibrary", "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        {"Parameters", JsonObject{{"serialization.format", "1"}}}};
  } else if (f.classification == "json") {
    serde = JsonObject{{"SerializationLibrary", "org.openx.data.jsonserde.JsonSerDe"},
                       {"Parameters", JsonObject{}}};
  } else {
    serde = JsonObject{
        {"SerializationLibrary", "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"},
        {"Parameters", JsonObject{{"field.delim", std::string(1, f.delimiter)},
                                  {"serialization.format", std::string(1, f.delimiter)}}}};
  }
  return JsonObject{{"Columns", std::move(columns)}, {"Location", location},
                    {"InputFormat", input},          {"OutputFormat", output},
                    {"Compressed", false},           {"NumberOfBuckets", -1},
                    {"SerdeInfo", std::move(serde)}, {"BucketColumns", JsonArray{}},
                    {"SortColumns", JsonArray{}},    {"StoredAsSubDirectories", false}};
}

std::string hiveFolderValue(const std::optional<std::string>& v) {
  if (!v) return "__HIVE_DEFAULT_PARTITION__";
  std::string out;
  for (unsigned char c : *v) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ' ' || c == ':') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

Result<WrittenFiles> writePartitionFiles(lake::DuckConnection& con, const std::string& table,
                                         const std::vector<std::string>& data,
                                         const std::vector<std::string>& keys,
                                         const WriteFormat& format, const fs::path& scratch,
                                         const std::string& stem, size_t maxPartitions,
                                         const std::string& bucketColumn) {
  WrittenFiles w;
  // Each writer: the partition keys' values, then the bucket's.
  std::vector<std::string> by = keys;
  if (!bucketColumn.empty()) by.push_back(bucketColumn);
  std::vector<std::vector<std::optional<std::string>>> groups = {{}};
  if (!by.empty()) {
    std::string list;
    for (const auto& k : by) list += (list.empty() ? "" : ", ") + lake::sqlIdent(k);
    auto distinct = con.query("SELECT DISTINCT " + list + " FROM " + table + " ORDER BY " + list);
    if (!distinct) return distinct.error();
    if (distinct->rowCount() > maxPartitions) {
      return AwsError{kTooManyPartitions,
                      std::string(kTooManyPartitions) + ": Exceeded limit of " +
                          std::to_string(maxPartitions) + " open writers for partitions/buckets",
                      400};
    }
    groups.clear();
    for (size_t r = 0; r < distinct->rowCount(); ++r) {
      std::vector<std::optional<std::string>> values;
      for (size_t c = 0; c < by.size(); ++c) values.push_back(distinct->value(r, c));
      groups.push_back(std::move(values));
    }
  }
  std::string columns;
  for (const auto& d : data) columns += (columns.empty() ? "" : ", ") + lake::sqlIdent(d);
  if (columns.empty()) columns = "*";
  std::set<std::string> folders;
  for (size_t g = 0; g < groups.size(); ++g) {
    std::string folder, where;
    for (size_t k = 0; k < by.size(); ++k) {
      if (k < keys.size()) folder += keys[k] + "=" + hiveFolderValue(groups[g][k]) + "/";
      where += std::string(where.empty() ? " WHERE " : " AND ") + lake::sqlIdent(by[k]) +
               (groups[g][k] ? " = " + lake::sqlString(*groups[g][k]) : " IS NULL");
    }
    std::string name = bucketColumn.empty() ? stem + "_" + std::to_string(g) + format.extension
                                            : lake::hiveBucketFileName(
                                                  std::stoi(groups[g].back().value_or("0")), stem) +
                                                  format.extension;
    fs::path dir = scratch / folder;
    std::error_code ec;
    fs::create_directories(dir, ec);
    fs::path file = dir / name;
    auto copied = con.query("COPY (SELECT " + columns + " FROM " + table + where + ") TO " +
                            lake::sqlString(file.string()) + " (FORMAT " + format.duckFormat +
                            format.options + ")");
    if (!copied) return copied.error();
    w.rows += std::stoull(copied->value(0, 0).value_or("0"));
    w.files.emplace_back(file, folder + name);
    if (!keys.empty() && folders.insert(folder).second) {
      w.partitions.emplace_back(
          std::vector<std::optional<std::string>>(
              groups[g].begin(), groups[g].begin() + static_cast<long>(keys.size())),
          folder);
    }
  }
  return w;
}

Result<std::vector<std::string>> uploadFiles(const OperationRegistry& registry, const Scope& scope,
                                             const std::string& location, const WrittenFiles& w) {
  auto loc = lake::parseS3Uri(location);
  if (!loc) return loc.error();
  std::vector<std::string> put;
  for (const auto& [file, rel] : w.files) {
    std::string key = loc->prefix + rel;
    // The file is renamed into the object store as the HTTP door's spilled
    // bodies are (its digests read where it lies), not copied through a string.
    auto body = store::SpilledBody::adopt(file);
    if (!body) {
      removeUploads(registry, scope, location, put);
      return body.error();
    }
    auto payload = std::make_shared<Payload>();
    payload->requestFile = std::move(*body);
    auto done = callAndWait(registry, scope, "s3", "PutObject",
                            JsonObject{{"Bucket", loc->bucket}, {"Key", key}}, std::move(payload));
    if (!done) {
      removeUploads(registry, scope, location, put);
      return AwsError{done.error().code,
                      "cannot write " + location + rel + ": " + done.error().message,
                      done.error().httpStatus};
    }
    put.push_back(key);
  }
  return put;
}

void removeUploads(const OperationRegistry& registry, const Scope& scope,
                   const std::string& location, const std::vector<std::string>& keys) {
  auto loc = lake::parseS3Uri(location);
  if (!loc) return;
  for (const auto& k : keys) {
    (void)callAndWait(registry, scope, "s3", "DeleteObject",
                      JsonObject{{"Bucket", loc->bucket}, {"Key", k}});
  }
}

Result<void> registerWrittenPartitions(const OperationRegistry& registry, const Scope& scope,
                                       const std::string& db, const std::string& name,
                                       const JsonObject& sd, const std::string& location,
                                       const WrittenFiles& w) {
  for (size_t i = 0; i < w.partitions.size(); i += 100) {
    JsonArray inputs;
    for (size_t j = i; j < std::min(w.partitions.size(), i + 100); ++j) {
      JsonArray values;
      for (const auto& v : w.partitions[j].first) {
        values.push_back(Json(v.value_or("__HIVE_DEFAULT_PARTITION__")));
      }
      JsonObject psd = sd;
      psd["Location"] = location + w.partitions[j].second;
      inputs.push_back(
          JsonObject{{"Values", std::move(values)}, {"StorageDescriptor", std::move(psd)}});
    }
    auto r = callAndWait(
        registry, scope, "glue", "BatchCreatePartition",
        JsonObject{
            {"DatabaseName", db}, {"TableName", name}, {"PartitionInputList", std::move(inputs)}});
    if (!r) return r.error();
  }
  return {};
}

}  // namespace sluice::services
