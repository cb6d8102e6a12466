// A blocking SMTP client for SNS email deliveries (run on the engine's worker
// pool, never on the loop thread): one message to one recipient over plain
// SMTP (RFC 5321: EHLO, falling back to HELO; MAIL FROM; RCPT TO; DATA with
// dot-stuffing; QUIT). When the relay offers STARTTLS the session is
// upgraded to TLS and the relay's certificate verified (chain and host name);
// a relay that does not offer it gets plain SMTP. No authentication: it hands
// mail to a relay on a trusted network (a local MTA, a CI mail catcher).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>

namespace sluice::services::sns {

struct SmtpResult {
  bool ok = false;
  // The server refused for good (a 5xx reply): retrying cannot help.
  bool permanent = false;
  std::string error;  // the failing step and the server's reply, when not ok
};

// `server` is "host:port" (port 25 when absent). `message` is an RFC 5322
// message (headers, blank line, body) with CRLF line endings. `tls` (may be
// null: no STARTTLS) verifies the relay.
SmtpResult smtpSend(const std::string& server, const std::string& from, const std::string& to,
                    const std::string& message, std::chrono::seconds timeout,
                    boost::asio::ssl::context* tls);

}  // namespace sluice::services::sns
