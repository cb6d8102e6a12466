#include "lake/file_format.hpp"

#include <zlib.h>

#include <array>
#include <cctype>
#include <fstream>

#include "lake/json_records.hpp"

namespace sluice::lake {

namespace {

// Enough for Parquet's magic, JSON's first character and 20 CSV lines.
constexpr size_t kSniffBytes = 8 * 1024;

bool endsWith(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

std::string readHead(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string head(kSniffBytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

// The start of a gzip stream whose first bytes are `head`, inflated; `ended`
// tells whether the stream ended within them.
std::string inflateHead(std::string_view head, bool& ended) {
  std::string out(kSniffBytes, '\0');
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {};
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(head.data()));
  z.avail_in = static_cast<uInt>(head.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_SYNC_FLUSH);
  ended = rc == Z_STREAM_END;
  out.resize(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR ? z.total_out : 0);
  inflateEnd(&z);
  return out;
}

bool isGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

bool isZstd(std::string_view head) {
  return head.size() >= 4 && static_cast<unsigned char>(head[0]) == 0x28 &&
         static_cast<unsigned char>(head[1]) == 0xb5 &&
         static_cast<unsigned char>(head[2]) == 0x2f && static_cast<unsigned char>(head[3]) == 0xfd;
}

FileFormat formatOf(std::string classification) {
  FileFormat f;
  f.classification = std::move(classification);
  f.compression = "none";
  return f;
}

bool isNumber(std::string_view s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

bool isBoolean(std::string_view s) {
  return s == "true" || s == "false" || s == "TRUE" || s == "FALSE";
}

std::vector<std::string_view> lines(std::string_view text, size_t max) {
  std::vector<std::string_view> out;
  while (!text.empty() && out.size() < max) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// CSV as Glue's built-in classifier sees it: one of its delimiters gives
// every sampled line the same number (>= 2) of columns, over >= 2 lines.
std::optional<FileFormat> sniffCsv(std::string_view text, bool complete) {
  auto sample = lines(text, 20);
  // The last line may be cut by the sniff window.
  if (!complete && sample.size() > 2) sample.pop_back();
  while (!sample.empty() && sample.back().empty()) sample.pop_back();
  if (sample.size() < 2) return std::nullopt;
  for (char d : {',', '|', '\t', ';', '\x01'}) {
    size_t n = splitCsvLine(sample[0], d).size();
    if (n < 2) continue;
    bool same = true;
    for (auto l : sample) same = same && splitCsvLine(l, d).size() == n;
    if (!same) continue;
    FileFormat f = formatOf("csv");
    f.delimiter = d;
    f.columnCount = n;
    // A header: every cell of the first line a non-empty string that is not
    // a number or boolean, while some later line has a cell that is.
    auto first = splitCsvLine(sample[0], d);
    bool allText = true;
    for (const auto& c : first) allText = allText && !c.empty() && !isNumber(c) && !isBoolean(c);
    bool typedBelow = false;
    for (size_t i = 1; i < sample.size() && !typedBelow; ++i) {
      for (const auto& c : splitCsvLine(sample[i], d)) {
        typedBelow = typedBelow || isNumber(c) || isBoolean(c);
      }
    }
    // All-text files: a first line whose cells are distinct identifiers.
    if (allText && !typedBelow) {
      for (const auto& c : first) {
        for (char ch : c) {
          allText = allText && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ||
                                ch == ' ' || ch == '-' || ch == '.');
        }
      }
    }
    f.header = allText;
    if (f.header) f.headerNames = std::move(first);
    return f;
  }
  return std::nullopt;
}

std::optional<FileFormat> sniff(std::string_view head, bool complete, std::string_view name) {
  if (head.starts_with("PAR1")) return formatOf("parquet");
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && (head[i] == '{' || head[i] == '[')) {
    FileFormat f = formatOf("json");
    f.jsonArray = head[i] == '[';
    return f;
  }
  if (i == head.size()) return std::nullopt;  // empty or blank
  auto csv = sniffCsv(head, complete);
  if (csv && endsWith(name, ".tsv") && csv->delimiter != '\t') return std::nullopt;
  return csv;
}

}  // namespace

std::string FileFormat::compatibilityKey() const {
  std::string key = classification + "/" + compression;
  if (classification == "csv") {
    key += "/" + std::string(1, delimiter) + (header ? "/header" : "/noheader");
  }
  if (!jsonPath.empty()) key += "/" + jsonPath;
  return key;
}

std::vector<std::string> splitCsvLine(std::string_view line, char delimiter) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == delimiter && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

// What the built-in classifiers alone make of an object.
std::optional<FileFormat> builtinFormat(std::string_view head, uint64_t size, std::string_view key);

namespace {

// A custom classifier's verdict on an uncompressed object, or nullopt when it
// does not match.
std::optional<FileFormat> customFormat(const CustomClassifier& c, std::string_view head,
                                       const std::optional<FileFormat>& builtin) {
  if (c.kind == "json") {
    // The path must fit the file: "$[*]..." a top-level array, "$.name..." a
    // top-level object.
    auto path = parseJsonRecordPath(c.jsonPath);
    if (!path || !builtin || builtin->classification != "json" ||
        path->startsWithArray() != builtin->jsonArray || (path->steps.empty())) {
      return std::nullopt;
    }
    FileFormat f = *builtin;
    f.jsonArray = false;
    if (path->steps.size() > 1 || !path->startsWithArray()) f.jsonPath = c.jsonPath;
    return f;
  }
  if (c.kind != "csv" || head.starts_with("PAR1")) return std::nullopt;
  std::string_view line = head.substr(0, head.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto first = splitCsvLine(line, c.delimiter);
  if (line.empty() || (first.size() < 2 && !c.allowSingleColumn)) return std::nullopt;
  FileFormat f = formatOf("csv");
  f.delimiter = c.delimiter;
  f.columnCount = first.size();
  if (c.containsHeader == "PRESENT") {
    f.header = true;
    f.headerNames = c.header.empty() ? first : c.header;
  } else if (c.containsHeader == "ABSENT") {
    f.headerNames = c.header;  // names for headerless files, when given
  } else if (builtin && builtin->classification == "csv" && builtin->delimiter == c.delimiter) {
    f.header = builtin->header;
    f.headerNames = builtin->headerNames;
  }
  return f;
}

}  // namespace

std::optional<FileFormat> classifyBytes(std::string_view head, uint64_t size, std::string_view key,
                                        const std::vector<CustomClassifier>& custom) {
  auto builtin = builtinFormat(head, size, key);
  if (custom.empty()) return builtin;
  // Custom classifiers see what a gzip object holds; zstd (which no Glue
  // classifier reads) they do not see at all.
  head = head.substr(0, kSniffBytes);
  if (isZstd(head)) return builtin;
  std::string inflated;
  bool gzip = isGzip(head);
  if (gzip) {
    bool ended = false;
    inflated = inflateHead(head, ended);
    head = inflated;
  }
  for (const auto& c : custom) {
    if (auto f = customFormat(c, head, builtin)) {
      if (gzip) f->compression = "gzip";
      return f;
    }
  }
  return builtin;
}

std::optional<FileFormat> builtinFormat(std::string_view head, uint64_t size,
                                        std::string_view key) {
  if (head.size() > kSniffBytes) head = head.substr(0, kSniffBytes);
  bool complete = size <= head.size();
  if (isGzip(head)) {
    bool ended = false;
    std::string inner = inflateHead(head, ended);
    std::string_view name = key;
    if (endsWith(name, ".gz")) name.remove_suffix(3);
    auto f = sniff(inner, complete && ended, name);
    if (!f || f->classification == "parquet") return std::nullopt;
    f->compression = "gzip";
    return f;
  }
  if (isZstd(head)) {
    return std::nullopt;  // zstd: DuckDB reads it, no built-in Glue classifier does
  }
  return sniff(head, complete, key);
}

std::optional<FileFormat> classifyFile(const std::filesystem::path& file, std::string_view key,
                                       const std::vector<CustomClassifier>& custom) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  return classifyBytes(readHead(file), ec ? 0 : size, key, custom);
}

}  // namespace sluice::lake
