// Parses a request's XML body (S3 configurations, CompleteMultipartUpload,
// Delete) into a small element tree. Namespace prefixes are dropped from
// element names (S3 matches local names).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace sluice::gateway {

struct XmlElement {
  std::string name;  // local name
  std::string text;  // character data directly inside (entities decoded)
  std::vector<XmlElement> children;

  const XmlElement* child(std::string_view name) const;
  std::vector<const XmlElement*> childrenNamed(std::string_view name) const;
};

// The document's root element, or S3's MalformedXML error.
Result<XmlElement> parseXml(std::string_view text);

}  // namespace sluice::gateway
