#include "gateway/xml_writer.hpp"

#include <cstdio>

namespace sluice::gateway {

XmlWriter::XmlWriter(bool declaration) {
  if (declaration) out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::appendEscaped(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
        } else {
          out += c;
        }
        break;
      case '\r':
        out += "&#13;";  // would be normalised to \n by a parser otherwise
        break;
      default:
        if (u < 0x20 && c != '\n' && c != '\t') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "&#%u;", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

XmlWriter& XmlWriter::open(std::string_view name,
                           const std::vector<std::pair<std::string, std::string>>& attributes) {
  out_ += '<';
  out_ += name;
  for (const auto& [k, v] : attributes) {
    out_ += ' ';
    out_ += k;
    out_ += "=\"";
    appendEscaped(out_, v, true);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::close() {
  if (open_.empty()) return *this;
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::element(std::string_view name, std::string_view value) {
  out_ += '<';
  out_ += name;
  out_ += '>';
  appendEscaped(out_, value, false);
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::text(std::string_view value) {
  appendEscaped(out_, value, false);
  return *this;
}

std::string XmlWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

}  // namespace sluice::gateway
