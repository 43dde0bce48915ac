#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace wardmap::core {

/// Lower-case hex of bytes (libsodium's constant-time sodium_bin2hex).
std::string to_hex(std::span<const unsigned char> bytes);

/// Lower-case hex SHA-256 of `text`: how tokens, keys and sessions are stored.
std::string sha256_hex(std::string_view text);

/// Lower-case hex HMAC-SHA-256 of `message` under `key` (a session's CSRF token: the session
/// token as key, a label naming the kind of session as message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

/// Lower-case hex SHA-256 of a file's bytes, read in 1 MiB blocks (backup checksums, as
/// `sha256sum` prints them). Throws std::runtime_error when the file cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

/// `bytes` random bytes as unpadded URL-safe base64 (18 bytes: 24 characters, 144 bits).
std::string random_url_token(std::size_t bytes = 18);

/// `bytes` random bytes as lower-case hex.
std::string random_hex(std::size_t bytes);

/// True when `a` and `b` are equal, compared in time that does not depend on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace wardmap::core
