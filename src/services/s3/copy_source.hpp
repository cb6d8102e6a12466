// x-amz-copy-source: "[/]bucket/key[?versionId=id]", URL-encoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::s3 {

struct CopySource {
  std::string bucket;
  std::string key;
  std::optional<std::string> versionId;
};

// InvalidArgument when it names no bucket and key.
Result<CopySource> parseCopySource(std::string_view header);

}  // namespace sluice::services::s3
