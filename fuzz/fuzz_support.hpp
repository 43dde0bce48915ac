#pragma once

// What every fuzz target shares: the input as text, and the rule that a parser may refuse
// input only with the error its callers translate (DomainError at the HTTP layer, ImportError
// in the importers). Any other exception would reach the dispatcher's catch-all as a 500 (or
// the CLI's as exit 2), so the target stops there as if it had crashed.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <typeinfo>

namespace wardmap::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// A finding that is not a sanitizer report: says what and aborts, so libFuzzer saves the input.
[[noreturn]] inline void fail(const char* what, const char* detail = "") {
    std::fprintf(stderr, "wardmap fuzz: %s %s\n", what, detail);
    std::abort();
}

/// Runs `parse`; returns normally when it succeeds or throws one of `Expected`, aborts
/// otherwise (naming the exception's type and message).
template <typename... Expected, typename F> void expect_only(F&& parse) {
    try {
        parse();
    } catch (const std::exception& e) {
        if (!(... || (dynamic_cast<const Expected*>(&e) != nullptr))) {
            fail(typeid(e).name(), e.what());
        }
        // else a refusal the caller turns into a 4xx (or a rejected row)
    } catch (...) {
        fail("an exception that is not a std::exception");
    }
}

/// Fails unless `condition` holds: the property checks of a target.
inline void check(bool condition, const char* what) {
    if (!condition) {
        fail("property broken:", what);
    }
}

} // namespace wardmap::fuzz
