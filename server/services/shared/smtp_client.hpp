#pragma once

#include <memory>
#include <optional>
#include <string>

namespace wardmap::services {

/// Where and how to hand mail to an SMTP server.
struct SmtpSettings {
    std::string url;           ///< smtp://host:port (STARTTLS when offered) or smtps://host:port
    std::string envelope_from; ///< MAIL FROM address, e.g. no-reply@chorley.gov.uk
    std::optional<std::string> user{};
    std::optional<std::string> password{};
    bool require_tls = false; ///< smtp://: refuse to send unless STARTTLS succeeds
    long timeout_seconds = 60;
};

/// How one delivery ended. `permanent` is a 5xx answer: retrying the same message will not help.
struct SmtpResult {
    bool delivered = false;
    bool permanent = false;
    long reply_code = 0; ///< the server's last reply (0 when it never answered)
    std::string error;   ///< for logs and notification_outbox.last_error, never for clients
};

/// Sends whole RFC 5322 messages through one SMTP server with libcurl (one easy handle per
/// message, owned here; thread-compatible: one sender thread uses it).
class SmtpClient {
  public:
    /// std::invalid_argument for a URL that is not smtp:// or smtps://, or no envelope sender.
    explicit SmtpClient(SmtpSettings settings);
    ~SmtpClient();
    SmtpClient(const SmtpClient&) = delete;
    SmtpClient& operator=(const SmtpClient&) = delete;

    [[nodiscard]] SmtpResult send(const std::string& recipient, const std::string& message) const;
    [[nodiscard]] const SmtpSettings& settings() const { return m_settings; }

  private:
    SmtpSettings m_settings;
};

/// "Chorley Council <no-reply@chorley.gov.uk>" -> "no-reply@chorley.gov.uk"; a bare address is
/// returned as it is.
std::string mailbox_address(const std::string& mailbox);

} // namespace wardmap::services
