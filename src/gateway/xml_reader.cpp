#include "gateway/xml_reader.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace sluice::gateway {

namespace pt = boost::property_tree;

namespace {

std::string localName(const std::string& name) {
  auto colon = name.find(':');
  return colon == std::string::npos ? name : name.substr(colon + 1);
}

XmlElement convert(const std::string& name, const pt::ptree& node) {
  XmlElement e;
  e.name = localName(name);
  e.text = node.data();
  for (const auto& [childName, child] : node) {
    if (childName == "<xmlattr>" || childName == "<xmlcomment>") continue;
    e.children.push_back(convert(childName, child));
  }
  return e;
}

// The property-tree parser does not check that end tags match their start
// tags; S3 refuses such documents, so check the nesting here.
bool tagsBalanced(std::string_view t) {
  std::vector<std::string_view> open;
  size_t i = 0;
  auto skipTo = [&](std::string_view end) {
    auto at = t.find(end, i);
    if (at == std::string_view::npos) return false;
    i = at + end.size();
    return true;
  };
  while ((i = t.find('<', i)) != std::string_view::npos) {
    std::string_view rest = t.substr(i);
    if (rest.starts_with("<?")) {
      if (!skipTo("?>")) return false;
    } else if (rest.starts_with("<!--")) {
      if (!skipTo("-->")) return false;
    } else if (rest.starts_with("<![CDATA[")) {
      if (!skipTo("]]>")) return false;
    } else if (rest.starts_with("<!")) {
      if (!skipTo(">")) return false;
    } else {
      bool closing = rest.starts_with("</");
      size_t nameStart = i + (closing ? 2 : 1);
      size_t j = nameStart;
      while (j < t.size() && t[j] != '>' && t[j] != '/' && t[j] != ' ' && t[j] != '\t' &&
             t[j] != '\r' && t[j] != '\n') {
        ++j;
      }
      std::string_view name = t.substr(nameStart, j - nameStart);
      char quote = 0;
      while (j < t.size() && (quote || t[j] != '>')) {
        if (quote && t[j] == quote) {
          quote = 0;
        } else if (!quote && (t[j] == '"' || t[j] == '\'')) {
          quote = t[j];
        }
        ++j;
      }
      if (j >= t.size() || name.empty()) return false;
      bool selfClosing = t[j - 1] == '/';
      if (closing) {
        if (open.empty() || open.back() != name) return false;
        open.pop_back();
      } else if (!selfClosing) {
        open.push_back(name);
      }
      i = j + 1;
    }
  }
  return open.empty();
}

}  // namespace

const XmlElement* XmlElement::child(std::string_view n) const {
  for (const auto& c : children) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::childrenNamed(std::string_view n) const {
  std::vector<const XmlElement*> out;
  for (const auto& c : children) {
    if (c.name == n) out.push_back(&c);
  }
  return out;
}

Result<XmlElement> parseXml(std::string_view text) {
  AwsError malformed{"MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our "
                     "published schema",
                     400};
  if (!tagsBalanced(text)) return malformed;
  pt::ptree tree;
  try {
    std::istringstream in{std::string(text)};
    pt::read_xml(in, tree);
  } catch (const pt::ptree_error&) {
    return malformed;
  }
  const pt::ptree* root = nullptr;
  std::string rootName;
  for (const auto& [name, child] : tree) {
    if (name == "<xmlcomment>" || name == "<xmlattr>") continue;
    if (root) return malformed;  // two roots
    root = &child;
    rootName = name;
  }
  if (!root) return malformed;
  return convert(rootName, *root);
}

}  // namespace sluice::gateway
