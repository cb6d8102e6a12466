// Connections Sluice opens to the outside (SNS http(s) endpoints, SMTP
// relays), with blocking I/O on the worker pool: connecting with a time
// limit on every step, and TLS — one client context, built at start-up, that
// verifies the peer's certificate chain against the system's trusted CAs
// (plus an extra CA file, e.g. a test's self-signed CA) and, per connection,
// its host name.
#pragma once

#include <boost/asio/ip/tcp.hpp>
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

// Resolves and connects `socket` to host:port; connecting, and every later
// blocking read or write on the socket, gives up after `timeout`. Throws
// boost::system::system_error on failure.
void connectWithTimeout(boost::asio::ip::tcp::socket& socket, const std::string& host,
                        const std::string& port, std::chrono::seconds timeout);

}  // namespace sluice::services

#include <boost/asio/ssl/host_name_verification.hpp>

namespace sluice::services {

template <typename Stream>
void verifyHostName(boost::asio::ssl::stream<Stream>& stream, const std::string& host) {
  ::SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
}

}  // namespace sluice::services
