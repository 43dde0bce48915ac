// ID token verification with RSA keys made here by OpenSSL: a good token passes; a bad
// signature, alg none, HS256 keyed with the public key, another audience or issuer, an expired
// token, another nonce and an unknown kid are each refused. PKCE's S256 against RFC 7636's
// Appendix B vector.

#include "server/services/access/jwt.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <string>
#include <vector>

namespace wardmap::services {
namespace {

using nlohmann::json;
using BigNumber = geo::CHandle<BIGNUM, BN_free>;
using DigestContext = geo::CHandle<EVP_MD_CTX, EVP_MD_CTX_free>;
using MemoryBio = geo::CHandle<BIO, BIO_free>;

constexpr const char* issuer = "https://login.example.test/tenant/v2.0";
constexpr const char* client_id = "wardmap";
constexpr const char* nonce = "n-0S6_WzA2Mj";
constexpr std::int64_t now_seconds = 1'750'000'000;

std::string bytes_of_bn(const EvpKey& key, const char* name) {
    BIGNUM* raw = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), name, &raw) != 1) {
        throw std::runtime_error("EVP_PKEY_get_bn_param failed");
    }
    BigNumber bn(raw);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

/// A provider's signing key: the private half signs here, the public half goes in the JWKS.
struct SigningKey {
    std::string kid;
    EvpKey key{EVP_RSA_gen(2048)};

    [[nodiscard]] json jwk() const {
        return {{"kty", "RSA"},
                {"use", "sig"},
                {"alg", "RS256"},
                {"kid", kid},
                {"n", base64url_encode(bytes_of_bn(key, OSSL_PKEY_PARAM_RSA_N))},
                {"e", base64url_encode(bytes_of_bn(key, OSSL_PKEY_PARAM_RSA_E))}};
    }

    [[nodiscard]] std::string sign(const std::string& text) const {
        DigestContext context(EVP_MD_CTX_new());
        std::size_t length = 0;
        EXPECT_EQ(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()), 1);
        EXPECT_EQ(EVP_DigestSign(context.get(), nullptr, &length,
                                 reinterpret_cast<const unsigned char*>(text.data()), text.size()),
                  1);
        std::string signature(length, '\0');
        EXPECT_EQ(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()),
                                 &length, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size()),
                  1);
        signature.resize(length);
        return signature;
    }

    /// The public key as PEM: what a confused verifier would use as an HMAC secret.
    [[nodiscard]] std::string public_pem() const {
        MemoryBio bio(BIO_new(BIO_s_mem()));
        PEM_write_bio_PUBKEY(bio.get(), key.get());
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio.get(), &data);
        return {data, static_cast<std::size_t>(n)};
    }
};

json good_claims() {
    return {{"iss", issuer},
            {"sub", "248289761001"},
            {"aud", client_id},
            {"azp", client_id},
            {"exp", now_seconds + 3600},
            {"iat", now_seconds - 5},
            {"auth_time", 0},
            {"nonce", nonce},
            {"email", "Officer@Example.test"},
            {"email_verified", true},
            {"name", "Olive Officer"}};
}

std::string signing_input(const json& header, const json& claims) {
    return base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
}

std::string rs256_token(const SigningKey& key, const json& claims) {
    const std::string input = signing_input({{"alg", "RS256"}, {"kid", key.kid}}, claims);
    return input + "." + base64url_encode(key.sign(input));
}

class IdTokenTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        s_key = new SigningKey{"key-1"};
        s_other = new SigningKey{"key-1"}; // same kid, another key: a forger's
    }
    static void TearDownTestSuite() {
        delete s_key;
        delete s_other;
    }

    JsonWebKeySet keys() const {
        return JsonWebKeySet::parse(json{{"keys", {s_key->jwk()}}}.dump());
    }

    static IdTokenExpectations expected() {
        IdTokenExpectations e;
        e.issuer = issuer;
        e.client_id = client_id;
        e.nonce = nonce;
        e.now = std::chrono::system_clock::time_point(std::chrono::seconds(now_seconds));
        return e;
    }

    /// The reason a token was refused, or "accepted".
    std::string outcome(const std::string& token, const IdTokenExpectations& e = expected()) {
        try {
            static_cast<void>(verify_id_token(token, keys(), e));
            return "accepted";
        } catch (const OidcUnknownKey& refused) {
            return std::string("unknown key: ") + refused.what();
        } catch (const OidcRefused& refused) {
            return refused.what();
        }
    }

    static SigningKey* s_key;
    static SigningKey* s_other;
};

SigningKey* IdTokenTest::s_key = nullptr;
SigningKey* IdTokenTest::s_other = nullptr;

TEST_F(IdTokenTest, AcceptsAGoodTokenAndReturnsItsClaims) {
    const auto claims = verify_id_token(rs256_token(*s_key, good_claims()), keys(), expected());
    EXPECT_EQ(claims.subject, "248289761001");
    EXPECT_EQ(claims.email, "Officer@Example.test");
    EXPECT_EQ(claims.email_verified, true);
    EXPECT_EQ(claims.name, "Olive Officer");
}

TEST_F(IdTokenTest, AcceptsAnAudienceArrayHoldingTheClientWithAzp) {
    auto claims = good_claims();
    claims["aud"] = {"another-api", client_id};
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "accepted");
    claims.erase("azp"); // several audiences and no azp
    EXPECT_NE(outcome(rs256_token(*s_key, claims)), "accepted");
}

TEST_F(IdTokenTest, RefusesABadSignature) {
    EXPECT_EQ(outcome(rs256_token(*s_other, good_claims())), "ID token signature does not verify");
    // A good signature over other claims.
    const std::string good = rs256_token(*s_key, good_claims());
    auto changed = good_claims();
    changed["email"] = "admin@example.test";
    const std::string forged =
        signing_input({{"alg", "RS256"}, {"kid", "key-1"}}, changed) + good.substr(good.rfind('.'));
    EXPECT_EQ(outcome(forged), "ID token signature does not verify");
}

TEST_F(IdTokenTest, RefusesAlgNone) {
    const std::string token =
        signing_input({{"alg", "none"}, {"kid", "key-1"}}, good_claims()) + ".";
    EXPECT_EQ(outcome(token), "ID token algorithm 'none' refused: only RS256 is accepted");
    const std::string no_alg = signing_input({{"kid", "key-1"}}, good_claims()) + ".";
    EXPECT_EQ(outcome(no_alg), "ID token algorithm '(none)' refused: only RS256 is accepted");
}

TEST_F(IdTokenTest, RefusesHs256KeyedWithThePublicKey) {
    const std::string input = signing_input({{"alg", "HS256"}, {"kid", "key-1"}}, good_claims());
    const std::string secret = s_key->public_pem();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
    const std::string token =
        input + "." + base64url_encode(std::string(reinterpret_cast<const char*>(mac), length));
    EXPECT_EQ(outcome(token), "ID token algorithm 'HS256' refused: only RS256 is accepted");
}

TEST_F(IdTokenTest, RefusesAnotherAudience) {
    auto claims = good_claims();
    claims["aud"] = "someone-else";
    claims.erase("azp");
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token audience does not hold this client");
    claims["aud"] = json::array({"someone-else", "another"});
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token audience does not hold this client");
    claims = good_claims();
    claims["azp"] = "someone-else";
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)),
              "ID token's authorized party (azp) is not this client");
}

TEST_F(IdTokenTest, RefusesAnotherIssuer) {
    auto claims = good_claims();
    claims["iss"] = "https://evil.example.test/";
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token issuer is not the configured issuer");
}

TEST_F(IdTokenTest, RefusesAnExpiredTokenBeyondTheLeeway) {
    auto claims = good_claims();
    claims["exp"] = now_seconds - 60; // within the two minutes' leeway
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "accepted");
    claims["exp"] = now_seconds - 3600;
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token has expired");
    claims = good_claims();
    claims.erase("exp");
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token has no numeric 'exp' claim");
}

TEST_F(IdTokenTest, RefusesATokenIssuedInTheFuture) {
    auto claims = good_claims();
    claims["iat"] = now_seconds + 3600;
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)), "ID token was issued in the future");
}

TEST_F(IdTokenTest, RefusesAnotherNonce) {
    auto claims = good_claims();
    claims["nonce"] = "another-sign-in";
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)),
              "ID token nonce is not the one sent for this sign-in");
    claims.erase("nonce");
    EXPECT_EQ(outcome(rs256_token(*s_key, claims)),
              "ID token nonce is not the one sent for this sign-in");
}

TEST_F(IdTokenTest, AnUnknownKidIsReportedSoTheKeysCanBeFetchedAgain) {
    SigningKey rotated{"key-2"};
    EXPECT_EQ(outcome(rs256_token(rotated, good_claims())),
              "unknown key: ID token signed with a key not in the provider's JWKS");
    const auto both = JsonWebKeySet::parse(json{{"keys", {s_key->jwk(), rotated.jwk()}}}.dump());
    EXPECT_NO_THROW(
        static_cast<void>(verify_id_token(rs256_token(rotated, good_claims()), both, expected())));
}

TEST_F(IdTokenTest, RefusesMalformedTokens) {
    EXPECT_EQ(outcome("abc"), "malformed ID token: not a compact JWS of three parts");
    EXPECT_EQ(outcome("a.b.c.d"), "malformed ID token: not a compact JWS of three parts");
    EXPECT_EQ(outcome("!!.e30.x"), "malformed ID token: header is not base64url");
}

TEST(JsonWebKeySet, KeepsOnlyRsaSigningKeysOfAtLeast2048Bits) {
    SigningKey good{"good"};
    SigningKey small{"small"};
    small.key.reset(EVP_RSA_gen(1024));
    auto encryption = good.jwk();
    encryption["kid"] = "enc";
    encryption["use"] = "enc";
    auto other_alg = good.jwk();
    other_alg["kid"] = "ps256";
    other_alg["alg"] = "PS256";
    const json ec = {{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}};
    const auto set = JsonWebKeySet::parse(
        json{{"keys", {good.jwk(), small.jwk(), encryption, other_alg, ec}}}.dump());
    EXPECT_EQ(set.size(), 1U);
    EXPECT_NE(set.find("good"), nullptr);
    EXPECT_THROW(JsonWebKeySet::parse(R"({"no":"keys"})"), OidcRefused);
}

TEST(Pkce, S256ChallengeMatchesRfc7636AppendixB) {
    EXPECT_EQ(pkce_s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Base64url, RoundTripsAndRefusesPaddingAndOtherAlphabets) {
    const std::string bytes("\xfb\xff\x00\x10", 4);
    EXPECT_EQ(base64url_encode(bytes), "-_8AEA");
    EXPECT_EQ(base64url_decode("-_8AEA"), bytes);
    EXPECT_FALSE(base64url_decode("+/8AEA").has_value());
    EXPECT_FALSE(base64url_decode("-_8AEA==").has_value());
}

} // namespace
} // namespace wardmap::services
