#include "services/common/outbound_tls.hpp"

#include <sys/socket.h>
#include <sys/time.h>

namespace sluice::services {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> makeClientTlsContext(const std::string& caFile) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (!ec) ctx->set_default_verify_paths(ec);
  if (ec) return AwsError::internal("TLS: " + ec.message());
  if (!caFile.empty()) {
    ctx->load_verify_file(caFile, ec);
    if (ec) return AwsError::internal("TLS: cannot load CA file '" + caFile + "': " + ec.message());
  }
  return ctx;
}

void setSocketTimeouts(int fd, std::chrono::seconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace sluice::services
