// An ObjectSource over files in a directory and inline bytes, standing for
// the S3 store in lake unit tests (the API tests use the real store).
#pragma once

#include <map>
#include <string>

#include "lake/object_snapshot.hpp"

namespace sluice::lake::testing {

// Objects held in files under a directory or inline, as the S3 store holds them.
class FakeSource final : public ObjectSource {
 public:
  std::map<std::string, LakeObject> objects;  // "bucket/key"
  int rereads = 0;

  Result<std::vector<LakeObject>> list(const Scope&, const std::string& bucket,
                                       const std::string& prefix) override {
    if (bucket == "missing") return AwsError{"NoSuchBucket", "no bucket", 404};
    std::vector<LakeObject> out;
    for (const auto& [k, o] : objects) {
      if (k.starts_with(bucket + "/" + prefix)) out.push_back(o);
    }
    return out;
  }
  Result<std::optional<LakeObject>> reread(const Scope&, const std::string& bucket,
                                           const std::string& key) override {
    ++rereads;
    auto it = objects.find(bucket + "/" + key);
    if (it == objects.end()) return std::optional<LakeObject>();
    return std::optional<LakeObject>(it->second);
  }
};

}  // namespace sluice::lake::testing
