// What a crawler's built-in classifiers make of one object: its format and
// compression, from the name and the first bytes, as Glue's classifiers
// decide (Parquet by its "PAR1" magic, JSON by a leading '{' or '[', CSV by
// a delimiter that splits the first line into at least two columns).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sluice::lake {

struct FileFormat {
  std::string classification;  // "parquet", "json", "csv"
  std::string compression;     // "none", "gzip", "zstd" (Parquet: "none", compressed inside)
  bool jsonArray = false;      // a JSON file whose top level is an array
  char delimiter = ',';        // CSV
  bool header = false;         // CSV: the first line names the columns
  std::vector<std::string> headerNames;  // CSV with a header
  size_t columnCount = 0;                // CSV
  // JSON read through a custom classifier's JsonPath (json_records.hpp):
  // the records are what it finds; empty when they are the file's values
  // (or, for "$[*]", its top-level array's elements, which read_json gives).
  std::string jsonPath;

  // Files of one table share this: format, compression and (CSV) layout.
  std::string compatibilityKey() const;
};

// A crawler's custom classifier (Glue's CreateClassifier), tried before the
// built-in ones, in the crawler's order.
struct CustomClassifier {
  std::string kind;                        // "json" or "csv" (Grok and XML never match here)
  std::string jsonPath;                    // json: where the records are (json_records.hpp)
  char delimiter = ',';                    // csv
  std::string containsHeader = "UNKNOWN";  // csv: PRESENT, ABSENT or UNKNOWN
  std::vector<std::string> header;         // csv: the column names, when given
  bool allowSingleColumn = false;          // csv
};

// The format of the object `key` whose bytes are in `file`; nullopt when no
// classifier recognises it (Avro, ORC, binary, bzip2, empty files).
std::optional<FileFormat> classifyFile(const std::filesystem::path& file, std::string_view key,
                                       const std::vector<CustomClassifier>& custom = {});

// The same from the object's first bytes (at least the first 8 KiB, or all
// of it) and its size.
std::optional<FileFormat> classifyBytes(std::string_view head, uint64_t size, std::string_view key,
                                        const std::vector<CustomClassifier>& custom = {});

// Splits a CSV line at `delimiter`, honouring double quotes.
std::vector<std::string> splitCsvLine(std::string_view line, char delimiter);

}  // namespace sluice::lake
