#pragma once

// The pieces of JOSE an OpenID Connect relying party needs, and no more: base64url, PKCE's
// S256 challenge, a JSON Web Key Set of RSA signing keys, and the checks of an ID token
// (RS256 only, signature by kid, iss, aud/azp, exp, iat, nonce). OpenSSL's EVP API does the
// RSA; every OpenSSL handle lives in an owner type.

#include "geo/c_handle.hpp"

#include <chrono>
#include <map>
#include <openssl/evp.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wardmap::services {

/// Which part of an OpenID Connect sign-in failed: what the person is told (docs/sign-in.md).
enum class OidcFailure {
    state,    ///< unknown, used or expired state, or another browser: start again
    provider, ///< the provider refused, could not be reached or answered nonsense
    token,    ///< the ID token (or the email in it) did not pass the checks
    account,  ///< a good identity, but nobody wardmap lets sign in
};

/// An OpenID Connect sign-in refused. `what()` names the reason for the log line; it never
/// holds a token, a code or an email.
class OidcRefused : public std::runtime_error {
  public:
    explicit OidcRefused(const std::string& reason, OidcFailure failure = OidcFailure::token)
        : std::runtime_error(reason), m_failure(failure) {}
    [[nodiscard]] OidcFailure failure() const { return m_failure; }

  private:
    OidcFailure m_failure;
};

/// The ID token names a key the key set does not hold: the provider may have rotated its keys,
/// so the caller fetches the key set again once before giving up.
class OidcUnknownKey : public OidcRefused {
  public:
    explicit OidcUnknownKey(const std::string& reason) : OidcRefused(reason) {}
};

/// Unpadded URL-safe base64 (RFC 7515 §2), and back (nullopt for anything else, padding
/// included).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

/// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string pkce_s256_challenge(std::string_view code_verifier);

using EvpKey = geo::CHandle<EVP_PKEY, EVP_PKEY_free>;

/// The RSA signing keys of a provider's JWKS document, by kid. Keys that are not RSA, are
/// marked for encryption, name another algorithm than RS256 or are shorter than 2048 bits are
/// left out.
class JsonWebKeySet {
  public:
    /// Throws OidcRefused when the document is not a JWKS.
    static JsonWebKeySet parse(std::string_view json);

    [[nodiscard]] EVP_PKEY* find(const std::string& kid) const;
    [[nodiscard]] std::size_t size() const { return m_keys.size(); }

  private:
    std::map<std::string, EvpKey, std::less<>> m_keys;
};

/// True when `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `signed_text`.
bool verify_rs256(EVP_PKEY* key, std::string_view signed_text, std::string_view signature);

/// What the ID token must show for this sign-in.
struct IdTokenExpectations {
    std::string issuer;
    std::string client_id;
    std::string nonce;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    /// Clock difference tolerated between the provider and us, for exp and iat.
    std::chrono::seconds leeway{120};
};

/// The claims wardmap uses from a verified ID token.
struct IdTokenClaims {
    std::string subject;
    std::optional<std::string> email;
    std::optional<bool> email_verified;
    std::optional<std::string> name;
};

/// Verifies a compact JWS ID token (OpenID Connect Core §3.1.3.7): alg RS256 and nothing else,
/// the signature against `keys` by kid, iss, aud (a string or an array holding client_id; azp
/// equal to client_id when there are several audiences or azp is present), exp in the future,
/// iat not in the future, nonce. Throws OidcUnknownKey for a kid not in `keys`, OidcRefused
/// naming the first failed check otherwise.
IdTokenClaims verify_id_token(std::string_view token,
                              const JsonWebKeySet& keys,
                              const IdTokenExpectations& expected);

} // namespace wardmap::services
