#include "gateway/s3_post_form.hpp"

#include <strings.h>

#include <algorithm>

#include "core/encoding.hpp"
#include "core/json.hpp"
#include "gateway/sigv2.hpp"
#include "gateway/sigv4_internal.hpp"

namespace sluice::gateway {

using namespace sigv4_detail;

namespace {

AwsError accessDenied(const std::string& why) {
  return {"AccessDenied", "Invalid according to Policy: " + why, 403};
}

AwsError malformedPost(const std::string& why) {
  return {"MalformedPOSTRequest",
          "The body of your POST request is not well-formed multipart/form-data. " + why, 400};
}

// A parameter of a header value: `name="value"` or `name=value`.
std::optional<std::string> headerParam(std::string_view header, std::string_view name) {
  size_t at = 0;
  while ((at = header.find(';', at)) != std::string_view::npos) {
    std::string_view rest = trim(header.substr(++at));
    if (rest.size() <= name.size() || rest[name.size()] != '=' ||
        strncasecmp(rest.data(), name.data(), name.size()) != 0) {
      continue;
    }
    rest.remove_prefix(name.size() + 1);
    if (!rest.empty() && rest.front() == '"') {
      size_t end = rest.find('"', 1);
      if (end == std::string_view::npos) return std::nullopt;
      return std::string(rest.substr(1, end - 1));
    }
    return std::string(trim(rest.substr(0, rest.find(';'))));
  }
  return std::nullopt;
}

bool excludedFromPolicy(std::string_view name) {
  for (std::string_view skip :
       {"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"}) {
    if (iequals(name, skip)) return true;
  }
  return toLower(name).starts_with("x-ignore-");
}

// The form value a condition names ("$key" -> key; "bucket" -> the URL's).
std::optional<std::string> conditionValue(const S3PostForm& form, std::string_view bucket,
                                          std::string_view name) {
  if (!name.empty() && name.front() == '$') name.remove_prefix(1);
  if (iequals(name, "bucket")) return std::string(bucket);
  const std::string* v = form.field(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

std::string text(const Json& v) {
  return v.is_string() ? std::string(v.get_string()) : toJsonText(v);
}

Result<void> checkConditions(const S3PostForm& form, std::string_view bucket,
                             const JsonArray& conditions) {
  std::vector<std::string> covered;
  for (const Json& c : conditions) {
    if (c.is_object()) {
      for (const auto& kv : c.get_object()) {
        covered.push_back(toLower(kv.key()));
        auto have = conditionValue(form, bucket, kv.key());
        if (!have || *have != text(kv.value())) {
          return accessDenied("Policy Condition failed: [\"eq\", \"$" + std::string(kv.key()) +
                              "\", \"" + text(kv.value()) + "\"]");
        }
      }
      continue;
    }
    if (!c.is_array() || c.get_array().empty() || !c.get_array()[0].is_string()) {
      return AwsError{"InvalidPolicyDocument", "Invalid Policy: Invalid 'conditions' value.", 400};
    }
    const JsonArray& a = c.get_array();
    std::string op = toLower(a[0].get_string());
    if (op == "content-length-range") {
      if (a.size() != 3 || !isNumber(a[1]) || !isNumber(a[2])) {
        return AwsError{"InvalidPolicyDocument",
                        "Invalid Policy: Invalid content-length-range condition.", 400};
      }
      double size = static_cast<double>(form.file.size());
      if (size > toDouble(a[2])) {
        return AwsError{"EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                        400}
            .with("ProposedSize", std::to_string(form.file.size()))
            .with("MaxSizeAllowed", text(a[2]));
      }
      if (size < toDouble(a[1])) {
        return AwsError{"EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed size", 400}
            .with("ProposedSize", std::to_string(form.file.size()))
            .with("MinSizeAllowed", text(a[1]));
      }
      continue;
    }
    if ((op != "eq" && op != "starts-with") || a.size() != 3 || !a[1].is_string()) {
      return AwsError{"InvalidPolicyDocument",
                      "Invalid Policy: Invalid Condition: " + toJsonText(c), 400};
    }
    std::string name(a[1].get_string());
    covered.push_back(toLower(name.starts_with("$") ? name.substr(1) : name));
    auto have = conditionValue(form, bucket, name).value_or("");
    std::string want = text(a[2]);
    bool ok = op == "eq" ? have == want : have.starts_with(want);
    if (!ok) {
      return accessDenied("Policy Condition failed: [\"" + op + "\", \"" + name + "\", \"" + want +
                          "\"]");
    }
  }
  for (const auto& f : form.fields) {
    if (excludedFromPolicy(f.name)) continue;
    if (std::find(covered.begin(), covered.end(), toLower(f.name)) == covered.end()) {
      return accessDenied("Extra input fields: " + f.name);
    }
  }
  return {};
}

// The signature over the policy document, SigV4 or SigV2; the signer's id.
Result<std::string> checkSignature(const S3PostForm& form, const std::string& policy,
                                   const CredentialStore& credentials) {
  if (const std::string* signature = form.field("x-amz-signature")) {
    const std::string* algorithm = form.field("x-amz-algorithm");
    const std::string* credential = form.field("x-amz-credential");
    if (!algorithm || *algorithm != kAlgorithm || !credential) {
      return AwsError{"InvalidArgument",
                      "POST requires x-amz-algorithm AWS4-HMAC-SHA256 and x-amz-credential", 400};
    }
    // AKID/date/region/service/aws4_request
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      size_t slash = credential->find('/', start);
      parts.push_back(credential->substr(start, slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (parts.size() != 5 || parts[4] != "aws4_request") {
      return AwsError{"InvalidArgument", "Invalid x-amz-credential: " + *credential, 400};
    }
    const Credentials* known = credentials.find(parts[0]);
    if (!known) {
      return AwsError{"InvalidAccessKeyId",
                      "The AWS Access Key Id you provided does not exist in our records.", 403};
    }
    std::string key = deriveSigningKey(known->secretAccessKey, parts[1], parts[2], parts[3]);
    if (hexEncode(hmacSha256(key, policy)) != toLower(*signature)) {
      return AwsError{"SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your key and signing method.",
                      403};
    }
    return parts[0];
  }
  const std::string* id = form.field("awsaccesskeyid");
  const std::string* signature = form.field("signature");
  if (!id || !signature) {
    return AwsError{"AccessDenied", "Access Denied", 403};
  }
  const Credentials* known = credentials.find(*id);
  if (!known) {
    return AwsError{"InvalidAccessKeyId",
                    "The AWS Access Key Id you provided does not exist in our records.", 403};
  }
  if (sigV2Signature(known->secretAccessKey, policy) != *signature) {
    return AwsError{"SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you "
                    "provided. Check your key and signing method.",
                    403};
  }
  return *id;
}

}  // namespace

const std::string* S3PostForm::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return &f.value;
  }
  return nullptr;
}

bool isS3BrowserPost(std::string_view method, std::string_view contentType) {
  return method == "POST" && toLower(contentType).starts_with("multipart/form-data");
}

Result<S3PostForm> parseS3PostForm(std::string_view contentType, std::string_view body) {
  auto boundary = headerParam(contentType, "boundary");
  if (!boundary || boundary->empty()) return malformedPost("No boundary.");
  const std::string delimiter = "--" + *boundary;
  S3PostForm form;
  size_t at = body.find(delimiter);
  if (at == std::string_view::npos) return malformedPost("No parts.");
  while (true) {
    at += delimiter.size();
    if (body.substr(at, 2) == "--") break;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return malformedPost("A part does not start a line.");
    at += 2;
    size_t headersEnd = body.find("\r\n\r\n", at);
    if (headersEnd == std::string_view::npos) return malformedPost("A part has no headers.");
    std::string_view headers = body.substr(at, headersEnd - at);
    size_t contentStart = headersEnd + 4;
    size_t next = body.find("\r\n" + delimiter, contentStart);
    if (next == std::string_view::npos) return malformedPost("A part is not closed.");
    std::string_view content = body.substr(contentStart, next - contentStart);
    std::string disposition, partType;
    for (size_t line = 0; line < headers.size();) {
      size_t end = headers.find("\r\n", line);
      std::string_view h = headers.substr(line, end - line);
      size_t colon = h.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = trim(h.substr(0, colon));
        if (iequals(name, "Content-Disposition")) disposition = trim(h.substr(colon + 1));
        if (iequals(name, "Content-Type")) partType = trim(h.substr(colon + 1));
      }
      if (end == std::string_view::npos) break;
      line = end + 2;
    }
    auto name = headerParam(disposition, "name");
    if (!name) return malformedPost("A part has no name.");
    if (!form.hasFile) {
      if (iequals(*name, "file")) {
        form.hasFile = true;
        form.fileName = headerParam(disposition, "filename").value_or("");
        form.fileContentType = partType;
        form.file = std::string(content);
      } else {
        form.fields.push_back({*name, std::string(content)});
      }
    }  // fields after the file are ignored, as S3 ignores them
    at = next + 2;
  }
  if (!form.field("key")) {
    return AwsError{"InvalidArgument",
                    "Bucket POST must contain a field named 'key'.  If it is specified, please "
                    "check the order of the fields.",
                    400}
        .with("ArgumentName", "key")
        .with("ArgumentValue", "");
  }
  if (!form.hasFile) {
    return AwsError{"InvalidArgument", "POST requires exactly one file upload per request.", 400}
        .with("ArgumentName", "file")
        .with("ArgumentValue", "0");
  }
  return form;
}

Result<std::string> authorizeS3Post(const S3PostForm& form, std::string_view bucket,
                                    const CredentialStore& credentials, TimePoint now) {
  const std::string* policy = form.field("policy");
  if (!policy) {
    // An anonymous upload: only where any signature is accepted.
    if (!credentials.empty()) return AwsError{"AccessDenied", "Access Denied", 403};
    return std::string();
  }
  auto decoded = base64Decode(*policy);
  auto doc = decoded ? parseJson(*decoded) : std::nullopt;
  if (!doc || !doc->is_object()) {
    return AwsError{"InvalidPolicyDocument", "Invalid Policy: Invalid JSON.", 400};
  }
  const JsonObject& p = doc->get_object();
  const Json* expiration = p.if_contains("expiration");
  auto expires = expiration && expiration->is_string()
                     ? parseIso8601(std::string(expiration->get_string()))
                     : std::nullopt;
  if (!expires) {
    return AwsError{"InvalidPolicyDocument",
                    "Invalid Policy: Policy missing expiration or invalid date.", 400};
  }
  const Json* conditions = p.if_contains("conditions");
  if (!conditions || !conditions->is_array()) {
    return AwsError{"InvalidPolicyDocument", "Invalid Policy: Policy missing conditions.", 400};
  }
  std::string signer;
  if (!credentials.empty()) {
    auto signed_ = checkSignature(form, *policy, credentials);
    if (!signed_) return signed_.takeError();
    signer = std::move(*signed_);
  }
  if (now > *expires) return accessDenied("Policy expired.");
  if (auto r = checkConditions(form, bucket, conditions->get_array()); !r) return r.error();
  return signer;
}

}  // namespace sluice::gateway
