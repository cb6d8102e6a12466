#include "services/common/outbound.hpp"

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

void connectWithTimeout(boost::asio::ip::tcp::socket& socket, const std::string& host,
                        const std::string& port, std::chrono::seconds timeout) {
  using tcp = boost::asio::ip::tcp;
  tcp::resolver resolver(socket.get_executor());
  boost::system::error_code ec = boost::asio::error::host_not_found;
  for (const auto& entry : resolver.resolve(host, port)) {
    boost::system::error_code ignored;
    socket.close(ignored);
    socket.open(entry.endpoint().protocol());
    // SO_SNDTIMEO also bounds connect() on Linux.
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count());
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    socket.connect(entry.endpoint(), ec);
    if (!ec) return;
  }
  throw boost::system::system_error(ec);
}

}  // namespace sluice::services
