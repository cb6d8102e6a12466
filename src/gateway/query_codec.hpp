// The query protocol's encoding, driven by the service model's shapes:
//  - requests: form parameters (`Action=SendMessage&QueueUrl=...`,
//    `Attribute.1.Name=...&Attribute.1.Value=...`, `Tags.member.1.Key=...`,
//    `Attributes.entry.1.key=...`) into the operation's input JSON, typed as
//    the model says (numbers as numbers, booleans as booleans);
//  - responses: the operation's output JSON into XML elements, lists and maps
//    flattened or wrapped (`<member>`, `<entry><key>`) as the model says.
// Element names are each member's locationName when it has one, else its name;
// a flattened list repeats its element name in place of the member's name.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"
#include "gateway/xml_writer.hpp"
#include "services/model/service_model.hpp"

namespace sluice::gateway {

using QueryParams = std::map<std::string, std::string, std::less<>>;

// Parses an application/x-www-form-urlencoded text (a body or a URL's query):
// `+` is a space, %XX a byte; a name without `=` has an empty value. Later
// duplicates win.
void parseFormInto(std::string_view text, QueryParams& params);

// The input structure of `shape` read from `params`. A value that cannot be
// read as its model type (a number, a boolean) is an InvalidParameterValue
// error naming the parameter.
Result<Json> decodeQueryInput(const services::model::Shape& shape, const QueryParams& params);

// Writes the members of `value` (an object of `shape`) as child elements.
void encodeQueryMembers(XmlWriter& xml, const services::model::Shape& shape, const Json& value);

}  // namespace sluice::gateway
