#include "core/tokens.hpp"

#include <array>
#include <fstream>
#include <sodium.h>
#include <stdexcept>
#include <vector>

namespace wardmap::core {

namespace {

void ensure_sodium() {
    // sodium_init is idempotent and thread-safe; it picks the random source once.
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
}

std::vector<unsigned char> random_bytes(std::size_t bytes) {
    ensure_sodium();
    std::vector<unsigned char> out(bytes);
    randombytes_buf(out.data(), out.size());
    return out;
}

} // namespace

std::string to_hex(std::span<const unsigned char> bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
    out.pop_back(); // the terminating NUL
    return out;
}

std::string sha256_hex(std::string_view text) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    return to_hex(digest);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    ensure_sodium();
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                                key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
    crypto_auth_hmacsha256_final(&state, mac.data());
    return to_hex(mac);
}

std::string sha256_file_hex(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + file.string());
    }
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    std::vector<char> block(std::size_t{1} << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        const auto got = in.gcount();
        if (got > 0) {
            crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block.data()),
                                      static_cast<unsigned long long>(got));
        }
    }
    if (in.bad()) {
        throw std::runtime_error("cannot read " + file.string());
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state, digest);
    return to_hex(digest);
}

std::string random_url_token(std::size_t bytes) {
    const auto raw = random_bytes(bytes);
    constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
    std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(), variant);
    out.resize(out.find('\0'));
    return out;
}

std::string random_hex(std::size_t bytes) {
    return to_hex(random_bytes(bytes));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace wardmap::core
