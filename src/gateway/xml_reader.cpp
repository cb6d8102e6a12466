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
