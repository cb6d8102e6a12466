#include "gateway/body_spill.hpp"

#include <algorithm>
#include <cstring>

namespace sluice::gateway {

namespace {

// Writes to the spill file are this large; aws-chunked input is read in
// slices of the HTTP server's read size.
constexpr size_t kSliceBytes = 1 << 20;
constexpr size_t kRawBytes = 64 << 10;

}  // namespace

BodySpill::BodySpill(store::SpilledBody file, const Options& options)
    : file_(std::move(file)), slice_(kSliceBytes) {
  if (options.chunked) {
    raw_.resize(kRawBytes);
    decoder_.emplace(*options.chunked, options.hashChunks,
                     [this](std::string_view data) { return put(data); });
  } else if (options.hashBody) {
    sha256_.emplace();
  }
}

std::span<char> BodySpill::buffer() {
  if (decoder_) return raw_;
  return std::span<char>(slice_).subspan(filled_);
}

Result<void> BodySpill::received(size_t n) {
  if (decoder_) return decoder_->feed(std::string_view(raw_.data(), n));
  // Read straight into the slice: no copy on the way to the file.
  if (sha256_) sha256_->update(std::string_view(slice_.data() + filled_, n));
  filled_ += n;
  if (filled_ == slice_.size()) return flush();
  return {};
}

Result<void> BodySpill::put(std::string_view data) {
  while (!data.empty()) {
    size_t take = std::min(data.size(), slice_.size() - filled_);
    std::memcpy(slice_.data() + filled_, data.data(), take);
    filled_ += take;
    data.remove_prefix(take);
    if (filled_ == slice_.size()) {
      if (auto r = flush(); !r) return r;
    }
  }
  return {};
}

Result<void> BodySpill::flush() {
  auto r = file_.append(std::string_view(slice_.data(), filled_));
  filled_ = 0;
  return r;
}

Result<StreamedBody> BodySpill::finish() {
  if (auto r = flush(); !r) return r.error();
  StreamedBody out{std::move(file_), std::nullopt, {}};
  if (decoder_) {
    auto decoded = decoder_->finish();
    if (!decoded) return decoded.takeError();
    out.chunked = std::move(*decoded);
  }
  if (sha256_) out.sha256 = sha256_->finishHex();
  return out;
}

}  // namespace sluice::gateway
