// A small XML writer for the query protocol's responses: elements opened and
// closed in order, text escaped so any string (message bodies, policies,
// JSON) round-trips through an XML parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

// Appends `text` with the XML escapes: & < > " ' and, so parsers keep them
// verbatim, carriage return (&#xD;) and tab/newline kept as they are. Other
// control characters are not allowed in XML 1.0 and are written as U+FFFD.
void appendXmlEscaped(std::string& out, std::string_view text);

class XmlWriter {
 public:
  // Starts the document with the XML declaration.
  XmlWriter();

  // <name xmlns="..."> (no attribute when `xmlns` is empty).
  void open(std::string_view name, std::string_view xmlns = {});
  // Closes the innermost open element.
  void close();
  // <name>escaped text</name>
  void element(std::string_view name, std::string_view text);

  // The document; every open element is closed first.
  std::string finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace sluice::gateway
