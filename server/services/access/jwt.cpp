#include "server/services/access/jwt.hpp"

#include "core/tokens.hpp"

#include <nlohmann/json.hpp>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <sodium.h>
#include <vector>

namespace wardmap::services {

namespace {

using nlohmann::json;
using BigNumber = geo::CHandle<BIGNUM, BN_free>;
using ParamBuilder = geo::CHandle<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using Params = geo::CHandle<OSSL_PARAM, OSSL_PARAM_free>;
using EvpKeyContext = geo::CHandle<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using EvpDigestContext = geo::CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;

constexpr int base64url = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
constexpr int minimum_rsa_bits = 2048;

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

/// An RSA public key from the JWK's big-endian modulus and exponent; null when OpenSSL will not
/// make one of them.
EvpKey rsa_public_key(const std::string& modulus, const std::string& exponent) {
    BigNumber n(BN_bin2bn(bytes_of(modulus), static_cast<int>(modulus.size()), nullptr));
    BigNumber e(BN_bin2bn(bytes_of(exponent), static_cast<int>(exponent.size()), nullptr));
    ParamBuilder builder(OSSL_PARAM_BLD_new());
    if (!n || !e || !builder ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
        return nullptr;
    }
    Params params(OSSL_PARAM_BLD_to_param(builder.get()));
    EvpKeyContext context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) {
        return nullptr;
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
        return nullptr;
    }
    return EvpKey(raw);
}

std::optional<std::string> string_member(const json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

json parse_segment(std::string_view segment, const char* what) {
    const auto text = base64url_decode(segment);
    if (!text) {
        throw OidcRefused(std::string("malformed ID token: ") + what + " is not base64url");
    }
    auto value = json::parse(*text, nullptr, false);
    if (!value.is_object()) {
        throw OidcRefused(std::string("malformed ID token: ") + what + " is not a JSON object");
    }
    return value;
}

/// A NumericDate claim (seconds since the epoch), required.
std::chrono::system_clock::time_point time_claim(const json& claims, const char* name) {
    const auto it = claims.find(name);
    if (it == claims.end() || !it->is_number()) {
        throw OidcRefused(std::string("ID token has no numeric '") + name + "' claim");
    }
    const auto seconds = it->get<double>();
    if (seconds < 0 || seconds > 1e11) {
        throw OidcRefused(std::string("ID token's '") + name + "' is out of range");
    }
    return std::chrono::system_clock::time_point(
        std::chrono::seconds(static_cast<std::int64_t>(seconds)));
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), base64url), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes_of(bytes), bytes.size(), base64url);
    out.pop_back(); // the terminating NUL
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    std::string out(text.size() * 3 / 4 + 1, '\0');
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                          text.size(), nullptr, &length, &end, base64url) != 0 ||
        end != text.data() + text.size()) {
        return std::nullopt;
    }
    out.resize(length);
    return out;
}

std::string pkce_s256_challenge(std::string_view code_verifier) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, bytes_of(code_verifier), code_verifier.size());
    return base64url_encode(
        std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

JsonWebKeySet JsonWebKeySet::parse(std::string_view text) {
    const auto document = json::parse(text, nullptr, false);
    if (!document.is_object() || !document.contains("keys") || !document["keys"].is_array()) {
        throw OidcRefused("the provider's JWKS is not a JSON Web Key Set", OidcFailure::provider);
    }
    JsonWebKeySet set;
    for (const auto& jwk : document["keys"]) {
        if (!jwk.is_object() || string_member(jwk, "kty") != "RSA") {
            continue;
        }
        const auto use = string_member(jwk, "use");
        const auto alg = string_member(jwk, "alg");
        const auto kid = string_member(jwk, "kid");
        const auto n = string_member(jwk, "n");
        const auto e = string_member(jwk, "e");
        if ((use && *use != "sig") || (alg && *alg != "RS256") || !kid || !n || !e) {
            continue;
        }
        const auto modulus = base64url_decode(*n);
        const auto exponent = base64url_decode(*e);
        if (!modulus || !exponent) {
            continue;
        }
        auto key = rsa_public_key(*modulus, *exponent);
        if (key && EVP_PKEY_get_bits(key.get()) >= minimum_rsa_bits) {
            set.m_keys.insert_or_assign(*kid, std::move(key));
        }
    }
    return set;
}

EVP_PKEY* JsonWebKeySet::find(const std::string& kid) const {
    const auto it = m_keys.find(kid);
    return it == m_keys.end() ? nullptr : it->second.get();
}

bool verify_rs256(EVP_PKEY* key, std::string_view signed_text, std::string_view signature) {
    EvpDigestContext context(EVP_MD_CTX_new());
    if (!context || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
        return false;
    }
    return EVP_DigestVerify(context.get(), bytes_of(signature), signature.size(),
                            bytes_of(signed_text), signed_text.size()) == 1;
}

IdTokenClaims verify_id_token(std::string_view token,
                              const JsonWebKeySet& keys,
                              const IdTokenExpectations& expected) {
    const auto first_dot = token.find('.');
    const auto second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos ||
        token.find('.', second_dot + 1) != std::string_view::npos) {
        throw OidcRefused("malformed ID token: not a compact JWS of three parts");
    }
    const auto header = parse_segment(token.substr(0, first_dot), "header");
    // The header decides nothing but the key: the algorithm is ours, never the token's.
    const auto alg = string_member(header, "alg");
    if (alg != "RS256") {
        throw OidcRefused("ID token algorithm '" + alg.value_or("(none)") +
                          "' refused: only RS256 is accepted");
    }
    if (header.contains("crit")) {
        throw OidcRefused("ID token header has critical extensions wardmap does not know");
    }
    const auto kid = string_member(header, "kid");
    if (!kid) {
        throw OidcUnknownKey("ID token header names no kid");
    }
    EVP_PKEY* key = keys.find(*kid);
    if (key == nullptr) {
        throw OidcUnknownKey("ID token signed with a key not in the provider's JWKS");
    }
    const auto signature = base64url_decode(token.substr(second_dot + 1));
    if (!signature || !verify_rs256(key, token.substr(0, second_dot), *signature)) {
        throw OidcRefused("ID token signature does not verify");
    }

    const auto claims =
        parse_segment(token.substr(first_dot + 1, second_dot - first_dot - 1), "payload");
    if (string_member(claims, "iss") != expected.issuer) {
        throw OidcRefused("ID token issuer is not the configured issuer");
    }
    const auto aud = claims.find("aud");
    bool audience_ok = false;
    std::size_t audiences = 0;
    if (aud != claims.end() && aud->is_string()) {
        audiences = 1;
        audience_ok = aud->get<std::string>() == expected.client_id;
    } else if (aud != claims.end() && aud->is_array()) {
        audiences = aud->size();
        for (const auto& a : *aud) {
            audience_ok =
                audience_ok || (a.is_string() && a.get<std::string>() == expected.client_id);
        }
    }
    if (!audience_ok) {
        throw OidcRefused("ID token audience does not hold this client");
    }
    const auto azp = string_member(claims, "azp");
    if ((audiences > 1 || azp) && azp != expected.client_id) {
        throw OidcRefused("ID token's authorized party (azp) is not this client");
    }
    if (time_claim(claims, "exp") + expected.leeway <= expected.now) {
        throw OidcRefused("ID token has expired");
    }
    if (time_claim(claims, "iat") > expected.now + expected.leeway) {
        throw OidcRefused("ID token was issued in the future");
    }
    const auto nonce = string_member(claims, "nonce");
    if (!nonce || expected.nonce.empty() || !core::constant_time_equal(*nonce, expected.nonce)) {
        throw OidcRefused("ID token nonce is not the one sent for this sign-in");
    }
    const auto subject = string_member(claims, "sub");
    if (!subject || subject->empty()) {
        throw OidcRefused("ID token has no subject");
    }

    IdTokenClaims out;
    out.subject = *subject;
    out.email = string_member(claims, "email");
    if (const auto verified = claims.find("email_verified"); verified != claims.end()) {
        // Some providers send the string "true"; anything else counts as not verified.
        out.email_verified = verified->is_boolean()
                                 ? verified->get<bool>()
                                 : (verified->is_string() && *verified == "true");
    }
    out.name = string_member(claims, "name");
    return out;
}

} // namespace wardmap::services
