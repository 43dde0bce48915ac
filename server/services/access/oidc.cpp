#include "server/services/access/oidc.hpp"

#include "core/tokens.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <sodium.h>
#include <stdexcept>

namespace wardmap::services {

namespace {

using nlohmann::json;
using CurlEasy = geo::CHandle<CURL, curl_easy_cleanup>;
using CurlList = geo::CHandle<curl_slist, curl_slist_free_all>;

/// Discovery documents, key sets and token answers are small; a provider sending more is
/// broken or hostile.
constexpr std::size_t max_provider_answer_bytes = 1024 * 1024;
/// At most one JWKS refetch per minute for tokens naming an unknown kid.
constexpr auto jwks_refresh_interval = std::chrono::seconds(60);

struct HttpAnswer {
    long status = 0;
    std::string body;
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    const std::size_t n = size * count;
    if (body->size() + n > max_provider_answer_bytes) {
        return 0; // makes libcurl fail the transfer
    }
    body->append(data, n);
    return n;
}

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("libcurl could not be initialised");
        }
    });
}

/// One request to the provider: GET, or POST of a form when `form` is set. No redirects
/// followed, http and https only. Throws OidcRefused when no answer came.
HttpAnswer provider_request(const std::string& url,
                            long timeout_seconds,
                            const std::vector<std::string>& headers,
                            const std::optional<std::string>& form = std::nullopt) {
    CurlEasy curl(curl_easy_init());
    if (!curl) {
        throw std::runtime_error("curl_easy_init failed");
    }
    HttpAnswer answer;
    CurlList header_list;
    for (const auto& h : headers) {
        curl_slist* extended = curl_slist_append(header_list.get(), h.c_str());
        if (extended == nullptr) {
            throw std::runtime_error("curl_slist_append failed");
        }
        static_cast<void>(header_list.release());
        header_list.reset(extended);
    }
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_seconds);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, std::min(timeout_seconds, 5L));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, header_list.get());
    if (form) {
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form->c_str());
        curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
    }
    const CURLcode code = curl_easy_perform(curl.get());
    if (code != CURLE_OK) {
        throw OidcRefused(std::string("the provider could not be reached: ") +
                              curl_easy_strerror(code),
                          OidcFailure::provider);
    }
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
    return answer;
}

json json_answer(const HttpAnswer& answer, const char* what) {
    if (answer.status != 200) {
        throw OidcRefused(std::string("the provider's ") + what + " answered HTTP " +
                              std::to_string(answer.status),
                          OidcFailure::provider);
    }
    auto value = json::parse(answer.body, nullptr, false);
    if (!value.is_object()) {
        throw OidcRefused(std::string("the provider's ") + what + " is not a JSON object",
                          OidcFailure::provider);
    }
    return value;
}

std::string percent_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string form_of(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += out.empty() ? "" : "&";
        out += percent_encode(name) + "=" + percent_encode(value);
    }
    return out;
}

/// https://..., or http:// to a loopback host (tests, development).
bool acceptable_url(const std::string& url) {
    if (url.starts_with("https://")) {
        return url.size() > 8;
    }
    if (!url.starts_with("http://")) {
        return false;
    }
    const std::string rest = url.substr(7);
    for (const char* host : {"127.0.0.1", "localhost", "[::1]"}) {
        const std::string_view h(host);
        if (rest.starts_with(h) &&
            (rest.size() == h.size() || rest[h.size()] == ':' || rest[h.size()] == '/')) {
            return true;
        }
    }
    return false;
}

std::string required_url(const json& document, const char* name) {
    const auto it = document.find(name);
    if (it == document.end() || !it->is_string() || !acceptable_url(it->get<std::string>())) {
        throw OidcRefused(std::string("the provider's discovery document has no usable ") + name,
                          OidcFailure::provider);
    }
    return it->get<std::string>();
}

/// Standard base64 with padding, for HTTP Basic credentials.
std::string base64(std::string_view bytes) {
    constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), variant);
    out.pop_back(); // the terminating NUL
    return out;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// Applies email_verified: an email the provider says is unverified is no email at all.
std::optional<std::string> usable_email(const std::optional<std::string>& email,
                                        const std::optional<bool>& verified) {
    if (!email || email->find('@') == std::string::npos) {
        return std::nullopt;
    }
    if (verified && !*verified) {
        throw OidcRefused("the provider says the email address is not verified");
    }
    return lower(*email);
}

} // namespace

void check_oidc_settings(const OidcSettings& settings) {
    if (!acceptable_url(settings.issuer)) {
        throw std::invalid_argument("--oidc-issuer must be an https:// URL (http:// only on "
                                    "loopback), not '" +
                                    settings.issuer + "'");
    }
    if (settings.client_id.empty()) {
        throw std::invalid_argument("--oidc-client-id is required with --oidc-issuer");
    }
    if (settings.client_secret.empty()) {
        throw std::invalid_argument("the OIDC client secret is required: --oidc-client-secret-file "
                                    "or WARDMAP_OIDC_CLIENT_SECRET");
    }
    if (!acceptable_url(settings.redirect_url)) {
        throw std::invalid_argument("--oidc-redirect-url must be an https:// URL (http:// only on "
                                    "loopback), not '" +
                                    settings.redirect_url + "'");
    }
    if (settings.provision && (settings.provision->email_domain.empty() ||
                               settings.provision->email_domain.find('@') != std::string::npos)) {
        throw std::invalid_argument("--oidc-provision-domain must be a bare domain such as "
                                    "example.gov.uk");
    }
    if (settings.provision) {
        const auto& rule = *settings.provision;
        const bool team_role = rule.role == "officer" || rule.role == "supervisor";
        if (rule.role != "admin" && !team_role) {
            throw std::invalid_argument("--oidc-provision-role must be officer, supervisor or "
                                        "admin (a councillor needs wards)");
        }
        if (team_role == rule.teams.empty()) {
            throw std::invalid_argument(team_role ? "--oidc-provision-team is required for "
                                                    "officers and supervisors"
                                                  : "an admin has no --oidc-provision-team");
        }
    }
}

OidcClient::OidcClient(OidcSettings settings) : m_settings(std::move(settings)) {
    check_oidc_settings(m_settings);
    if (m_settings.provision) {
        m_settings.provision->email_domain = lower(m_settings.provision->email_domain);
    }
    init_curl_once();
}

OidcClient::~OidcClient() = default;

void OidcClient::load_provider() {
    const auto provider = metadata();
    const auto key_set = keys(false);
    if (key_set->size() == 0) {
        throw OidcRefused("the provider's JWKS holds no RS256 signing key", OidcFailure::provider);
    }
}

std::shared_ptr<const OidcProviderMetadata> OidcClient::metadata() {
    {
        const std::lock_guard lock(m_mutex);
        if (m_metadata) {
            return m_metadata;
        }
    }
    std::string url = m_settings.issuer;
    if (url.ends_with('/')) {
        url.pop_back();
    }
    url += "/.well-known/openid-configuration";
    const auto document = json_answer(
        provider_request(url, m_settings.http_timeout_seconds, {"Accept: application/json"}),
        "discovery document");
    auto provider = std::make_shared<OidcProviderMetadata>();
    const auto issuer = document.find("issuer");
    // OpenID Connect Discovery §4.3: the document must name the very issuer configured.
    if (issuer == document.end() || !issuer->is_string() || *issuer != m_settings.issuer) {
        throw OidcRefused("the discovery document names another issuer than --oidc-issuer",
                          OidcFailure::provider);
    }
    provider->issuer = m_settings.issuer;
    provider->authorization_endpoint = required_url(document, "authorization_endpoint");
    provider->token_endpoint = required_url(document, "token_endpoint");
    provider->jwks_uri = required_url(document, "jwks_uri");
    if (document.contains("userinfo_endpoint")) {
        provider->userinfo_endpoint = required_url(document, "userinfo_endpoint");
    }
    // Absent means client_secret_basic (Discovery §3); use _post only when basic is not offered.
    if (const auto methods = document.find("token_endpoint_auth_methods_supported");
        methods != document.end() && methods->is_array()) {
        const auto has = [&](const char* m) {
            return std::find(methods->begin(), methods->end(), m) != methods->end();
        };
        provider->client_secret_basic = has("client_secret_basic") || !has("client_secret_post");
    }
    const std::lock_guard lock(m_mutex);
    m_metadata = std::move(provider);
    return m_metadata;
}

std::shared_ptr<const JsonWebKeySet> OidcClient::keys(bool refresh) {
    const auto provider = metadata();
    {
        const std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        if (m_keys && (!refresh || now - m_keys_fetched < jwks_refresh_interval)) {
            return m_keys;
        }
    }
    auto fetched = std::make_shared<const JsonWebKeySet>(
        JsonWebKeySet::parse(provider_request(provider->jwks_uri, m_settings.http_timeout_seconds,
                                              {"Accept: application/json"})
                                 .body));
    const std::lock_guard lock(m_mutex);
    m_keys = std::move(fetched);
    m_keys_fetched = std::chrono::steady_clock::now();
    return m_keys;
}

OidcStart OidcClient::start(const std::string& return_to) {
    const auto provider = metadata();
    PendingLogin login;
    login.nonce = core::random_url_token(24);
    // 32 random bytes: a 43-character verifier, the RFC 7636 minimum length and 256 bits.
    login.code_verifier = core::random_url_token(32);
    login.return_to = return_to;
    const std::string state = core::random_url_token(24);
    OidcStart out;
    out.browser_binding = core::random_url_token(24);
    login.binding_hash = core::sha256_hex(out.browser_binding);
    const std::string challenge = pkce_s256_challenge(login.code_verifier);
    const std::string nonce = login.nonce;
    {
        const std::lock_guard lock(m_mutex);
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(m_pending, [now](const auto& entry) { return entry.second.expires <= now; });
        if (m_pending.size() >= m_settings.max_pending_logins) {
            throw OidcRefused("too many sign-ins pending", OidcFailure::provider);
        }
        login.expires = now + m_settings.login_lifetime;
        m_pending.emplace(state, std::move(login));
    }
    out.authorization_url =
        provider->authorization_endpoint +
        (provider->authorization_endpoint.find('?') == std::string::npos ? "?" : "&") +
        form_of({{"response_type", "code"},
                 {"scope", "openid email profile"},
                 {"client_id", m_settings.client_id},
                 {"redirect_uri", m_settings.redirect_url},
                 {"state", state},
                 {"nonce", nonce},
                 {"code_challenge", challenge},
                 {"code_challenge_method", "S256"}});
    return out;
}

OidcClient::TokenAnswer OidcClient::exchange_code(const OidcProviderMetadata& provider,
                                                  const std::string& code,
                                                  const std::string& code_verifier) const {
    std::vector<std::pair<std::string, std::string>> fields{
        {"grant_type", "authorization_code"},
        {"code", code},
        {"redirect_uri", m_settings.redirect_url},
        {"code_verifier", code_verifier}};
    std::vector<std::string> headers{"Accept: application/json",
                                     "Content-Type: application/x-www-form-urlencoded"};
    if (provider.client_secret_basic) {
        // RFC 6749 §2.3.1: both halves form-encoded before base64.
        headers.push_back("Authorization: Basic " +
                          base64(percent_encode(m_settings.client_id) + ":" +
                                 percent_encode(m_settings.client_secret)));
    } else {
        fields.emplace_back("client_id", m_settings.client_id);
        fields.emplace_back("client_secret", m_settings.client_secret);
    }
    const auto answer = provider_request(provider.token_endpoint, m_settings.http_timeout_seconds,
                                         headers, form_of(fields));
    if (answer.status != 200) {
        // The body may echo the code; only the status goes to the log.
        throw OidcRefused("the token endpoint refused the code (HTTP " +
                              std::to_string(answer.status) + ")",
                          OidcFailure::provider);
    }
    const auto tokens = json_answer(answer, "token answer");
    const auto id_token = tokens.find("id_token");
    if (id_token == tokens.end() || !id_token->is_string()) {
        throw OidcRefused("the token answer holds no ID token", OidcFailure::provider);
    }
    TokenAnswer out;
    out.id_token = id_token->get<std::string>();
    if (const auto access = tokens.find("access_token");
        access != tokens.end() && access->is_string()) {
        out.access_token = access->get<std::string>();
    }
    return out;
}

IdTokenClaims OidcClient::verify(const std::string& id_token, const std::string& nonce) {
    IdTokenExpectations expected;
    expected.issuer = m_settings.issuer;
    expected.client_id = m_settings.client_id;
    expected.nonce = nonce;
    try {
        return verify_id_token(id_token, *keys(false), expected);
    } catch (const OidcUnknownKey&) {
        // The provider may have rotated its keys since we fetched them: fetch once more.
        expected.now = std::chrono::system_clock::now();
        return verify_id_token(id_token, *keys(true), expected);
    }
}

std::optional<std::string> OidcClient::userinfo_email(const OidcProviderMetadata& provider,
                                                      const std::string& access_token,
                                                      const std::string& subject) const {
    if (!provider.userinfo_endpoint || access_token.empty()) {
        return std::nullopt;
    }
    const auto info = json_answer(
        provider_request(*provider.userinfo_endpoint, m_settings.http_timeout_seconds,
                         {"Accept: application/json", "Authorization: Bearer " + access_token}),
        "userinfo answer");
    // Core §5.3.2: the userinfo sub must be the ID token's, or the answer is not about them.
    if (!info.contains("sub") || info["sub"] != subject) {
        throw OidcRefused("the userinfo answer is about another subject");
    }
    std::optional<std::string> email;
    std::optional<bool> verified;
    if (info.contains("email") && info["email"].is_string()) {
        email = info["email"].get<std::string>();
    }
    if (info.contains("email_verified")) {
        const auto& v = info["email_verified"];
        verified = v.is_boolean() ? v.get<bool>() : (v.is_string() && v == "true");
    }
    return usable_email(email, verified);
}

OidcFinish OidcClient::finish(const std::string& state,
                              const std::string& code,
                              const std::string& browser_binding) {
    PendingLogin login;
    {
        const std::lock_guard lock(m_mutex);
        const auto it = m_pending.find(state);
        if (it == m_pending.end()) {
            throw OidcRefused("unknown or already used state", OidcFailure::state);
        }
        login = std::move(it->second);
        m_pending.erase(it); // single use, whatever happens next
    }
    if (login.expires <= std::chrono::steady_clock::now()) {
        throw OidcRefused("the sign-in took too long (state expired)", OidcFailure::state);
    }
    if (!core::constant_time_equal(core::sha256_hex(browser_binding), login.binding_hash)) {
        throw OidcRefused("the callback came to another browser than the one that started",
                          OidcFailure::state);
    }
    if (code.empty()) {
        throw OidcRefused("the callback holds no code", OidcFailure::state);
    }
    const auto provider = metadata();
    const auto tokens = exchange_code(*provider, code, login.code_verifier);
    const auto claims = verify(tokens.id_token, login.nonce);

    OidcFinish out;
    out.return_to = login.return_to;
    out.identity.subject = claims.subject;
    out.identity.name = claims.name.value_or("");
    auto email = usable_email(claims.email, claims.email_verified);
    if (!email) {
        email = userinfo_email(*provider, tokens.access_token, claims.subject);
    }
    if (!email) {
        throw OidcRefused("the provider gave no email address (scope 'email' not granted?)");
    }
    out.identity.email = *email;
    return out;
}

} // namespace wardmap::services
