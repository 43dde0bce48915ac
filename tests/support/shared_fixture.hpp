#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace wardmap::testing {

/// A folder of files that every test process of a build shares, made once: ctest runs each
/// TEST in a process of its own, so a suite's SetUpTestSuite would otherwise remake it for
/// every test. Kept under WARDMAP_BINARY_DIR/test-fixtures/<name>-<scope>-<key>/.
///
/// `scope` names what made the files (the generator's binary, see file_identity, and anything
/// else that changes them): folders of `name` from another scope are stale and removed.
/// `key` tells variants within a scope apart (the generator's arguments). The first caller
/// runs `make(folder)` into a temporary folder under a lock and renames it into place, so
/// parallel test processes wait for it and then share it; a `make` that throws leaves nothing
/// behind and the exception reaches its caller (the next caller tries again). Callers copy
/// what they will change: the shared files must stay as `make` left them.
std::filesystem::path shared_fixture(const std::string& name,
                                     const std::string& scope,
                                     const std::string& key,
                                     const std::function<void(const std::filesystem::path&)>& make);

/// A file's identity for a fixture scope: canonical path, size and modification time (ns).
std::string file_identity(const std::filesystem::path& file);

/// Today's date in UTC (YYYY-MM-DD): part of the scope of fixtures whose maker reads the clock.
std::string utc_date();

/// FNV-1a, 64 bits, as 16 hex digits (the folder names; tests/browser/support.mjs has a copy).
std::string fnv1a_hex(const std::string& text);

} // namespace wardmap::testing
