// TLS for connections Sluice opens to the outside (SNS https endpoints, SMTP
// STARTTLS): one client context, built at start-up, that verifies the peer's
// certificate chain against the system's trusted CAs (plus an extra CA file,
// e.g. a test's self-signed CA) and, per connection, its host name.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace sluice::services {

// `caFile` (PEM; may be empty) is trusted in addition to the system's CAs.
Result<std::shared_ptr<boost::asio::ssl::context>> makeClientTlsContext(const std::string& caFile);

// Sets SNI and host-name verification on a client stream before its handshake.
template <typename Stream>
void verifyHostName(boost::asio::ssl::stream<Stream>& stream, const std::string& host);

// Blocking reads and writes on `fd` give up after `timeout` (the outbound
// clients run on the worker pool with synchronous I/O).
void setSocketTimeouts(int fd, std::chrono::seconds timeout);

}  // namespace sluice::services

#include <boost/asio/ssl/host_name_verification.hpp>

namespace sluice::services {

template <typename Stream>
void verifyHostName(boost::asio::ssl::stream<Stream>& stream, const std::string& host) {
  ::SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace sluice::services
