#include "server/services/shared/smtp_client.hpp"

#include "geo/c_handle.hpp"

#include <algorithm>
#include <cstring>
#include <curl/curl.h>
#include <mutex>
#include <stdexcept>

namespace wardmap::services {

namespace {

using CurlEasy = geo::CHandle<CURL, curl_easy_cleanup>;
using CurlList = geo::CHandle<curl_slist, curl_slist_free_all>;

/// libcurl's global state, set up once before the first handle (it is not itself thread-safe
/// in every build) and kept for the life of the process.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("libcurl could not be initialised");
        }
    });
}

/// The message body libcurl reads in pieces while it sends DATA.
struct Upload {
    const std::string* text = nullptr;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, upload->text->size() - upload->offset);
    std::memcpy(buffer, upload->text->data() + upload->offset, n);
    upload->offset += n;
    return n;
}

/// Checks a curl_easy_setopt result: a failure here is a programming or build error.
void check(CURLcode code, const char* what) {
    if (code != CURLE_OK) {
        throw std::runtime_error(std::string("curl_easy_setopt ") + what + ": " +
                                 curl_easy_strerror(code));
    }
}

} // namespace

std::string mailbox_address(const std::string& mailbox) {
    const auto open = mailbox.rfind('<');
    const auto close = mailbox.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open) {
        return mailbox.substr(open + 1, close - open - 1);
    }
    return mailbox;
}

SmtpClient::SmtpClient(SmtpSettings settings) : m_settings(std::move(settings)) {
    if (!m_settings.url.starts_with("smtp://") && !m_settings.url.starts_with("smtps://")) {
        throw std::invalid_argument("the SMTP URL must start with smtp:// or smtps://, not '" +
                                    m_settings.url + "'");
    }
    if (m_settings.envelope_from.empty() ||
        m_settings.envelope_from.find_first_of("<>\r\n ") != std::string::npos) {
        throw std::invalid_argument("the SMTP envelope sender must be a bare address, not '" +
                                    m_settings.envelope_from + "'");
    }
    init_curl_once();
}

SmtpClient::~SmtpClient() = default;

SmtpResult SmtpClient::send(const std::string& recipient, const std::string& message) const {
    if (recipient.find_first_of("<>\r\n") != std::string::npos) {
        return SmtpResult{false, true, 0, "recipient holds a forbidden character"};
    }
    CurlEasy curl(curl_easy_init());
    if (!curl) {
        return SmtpResult{false, false, 0, "curl_easy_init failed"};
    }
    CURL* h = curl.get();
    const std::string from = "<" + m_settings.envelope_from + ">";
    CurlList recipients(curl_slist_append(nullptr, ("<" + recipient + ">").c_str()));
    if (!recipients) {
        return SmtpResult{false, false, 0, "out of memory"};
    }
    Upload upload{&message, 0};
    char error_buffer[CURL_ERROR_SIZE] = {};
    check(curl_easy_setopt(h, CURLOPT_URL, m_settings.url.c_str()), "URL");
    check(curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str()), "MAIL_FROM");
    check(curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get()), "MAIL_RCPT");
    check(curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload), "READFUNCTION");
    check(curl_easy_setopt(h, CURLOPT_READDATA, &upload), "READDATA");
    check(curl_easy_setopt(h, CURLOPT_UPLOAD, 1L), "UPLOAD");
    check(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer), "ERRORBUFFER");
    // STARTTLS whenever the server offers it; with require_tls, never send in clear text.
    check(curl_easy_setopt(h, CURLOPT_USE_SSL,
                           m_settings.require_tls ? static_cast<long>(CURLUSESSL_ALL)
                                                  : static_cast<long>(CURLUSESSL_TRY)),
          "USE_SSL");
    check(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps"), "PROTOCOLS_STR");
    check(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L), "CONNECTTIMEOUT");
    check(curl_easy_setopt(h, CURLOPT_TIMEOUT, m_settings.timeout_seconds), "TIMEOUT");
    check(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL"); // we run on our own thread
    if (m_settings.user) {
        check(curl_easy_setopt(h, CURLOPT_USERNAME, m_settings.user->c_str()), "USERNAME");
        check(curl_easy_setopt(h, CURLOPT_PASSWORD, m_settings.password.value_or("").c_str()),
              "PASSWORD");
    }
    const CURLcode code = curl_easy_perform(h);
    long reply = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
    if (code == CURLE_OK) {
        return SmtpResult{true, false, reply, ""};
    }
    std::string error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    if (reply != 0) {
        error += " (SMTP " + std::to_string(reply) + ")";
    }
    // A 5xx refusal of the sender, recipient or message is final; a 5xx to AUTH is the
    // council's configuration (fixed by an operator), so those messages wait and retry.
    const bool permanent = reply >= 500 && reply < 600 && code != CURLE_LOGIN_DENIED;
    return SmtpResult{false, permanent, reply, error};
}

} // namespace wardmap::services
