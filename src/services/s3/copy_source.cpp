#include "services/s3/copy_source.hpp"

#include "core/encoding.hpp"
#include "services/s3/s3_errors.hpp"

namespace sluice::services::s3 {

Result<CopySource> parseCopySource(std::string_view header) {
  std::string_view s = header;
  std::optional<std::string> versionId;
  if (auto q = s.find("?versionId="); q != std::string_view::npos) {
    versionId = percentDecode(s.substr(q + 11));
    s = s.substr(0, q);
  }
  std::string decoded = percentDecode(s);
  std::string_view d = decoded;
  if (!d.empty() && d.front() == '/') d.remove_prefix(1);
  auto slash = d.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= d.size()) {
    return errors::invalidArgument("Invalid copy source object key");
  }
  return CopySource{std::string(d.substr(0, slash)), std::string(d.substr(slash + 1)),
                    std::move(versionId)};
}

}  // namespace sluice::services::s3
