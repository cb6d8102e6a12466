// A small, strict XML writer for the restXml protocol (S3): elements, text
// and attributes with the escapes XML 1.0 requires. Characters XML 1.0 cannot
// carry at all (most C0 controls) are written as numeric references, as S3
// does for keys holding them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::gateway {

class XmlWriter {
 public:
  // Starts with the XML declaration unless told not to.
  explicit XmlWriter(bool declaration = true);

  // <name attr="v"...>
  XmlWriter& open(std::string_view name,
                  const std::vector<std::pair<std::string, std::string>>& attributes = {});
  // </name> of the innermost open element.
  XmlWriter& close();
  // <name>text</name>
  XmlWriter& element(std::string_view name, std::string_view text);
  XmlWriter& text(std::string_view text);

  // Closes whatever is open and returns the document.
  std::string finish();

  static void appendEscaped(std::string& out, std::string_view text, bool attribute);

 private:
  std::string out_;
  std::vector<std::string> open_;
};

}  // namespace sluice::gateway
