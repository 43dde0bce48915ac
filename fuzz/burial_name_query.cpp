// The public grave search's name (GET /api/burials/search?name=...): parse_name_query and the
// sound keys it makes. Besides not crashing: an accepted name has a surname of two letters or
// more, spelled in a-z only, at least one key, every key in A-Z only, the whole surname's key
// among them, at most four forenames each with its key; keys do not depend on case.

#include "fuzz/fuzz_support.hpp"

#include "geo/store/burial_name_keys.hpp"

#include <algorithm>
#include <cctype>

using namespace wardmap;

namespace {

bool only(const std::string& s, char lo, char hi) {
    return std::all_of(s.begin(), s.end(), [lo, hi](char c) { return c >= lo && c <= hi; });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto in = fuzz::text(data, size);
    const auto q = store::parse_name_query(in);
    if (q) {
        fuzz::check(q->surname.size() >= 2, "a surname shorter than two letters");
        fuzz::check(only(q->surname, 'a', 'z'), "a surname spelling outside a-z");
        fuzz::check(!q->keys.empty(), "an accepted surname without a key");
        for (const auto& k : q->keys) {
            fuzz::check(!k.empty() && only(k, 'A', 'Z'), "a key outside A-Z");
        }
        fuzz::check(std::find(q->keys.begin(), q->keys.end(), store::sound_key(q->surname)) !=
                        q->keys.end(),
                    "the whole surname's key is missing");
        fuzz::check(q->forenames.size() <= 4 && q->forenames.size() == q->forename_keys.size(),
                    "forenames and their keys disagree");
        for (const auto& f : q->forenames) {
            fuzz::check(f.size() <= 64 && only(f, 'a', 'z'), "a forename spelling outside a-z");
        }
    }
    // Case does not change a key (ASCII letters).
    std::string upper(in);
    for (char& c : upper) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    fuzz::check(store::surname_keys(in) == store::surname_keys(upper), "case changes the keys");
    const auto spelling = store::surname_spelling(in);
    fuzz::check(only(spelling, 'a', 'z'), "a spelling outside a-z");
    fuzz::check(only(store::sound_key(spelling), 'A', 'Z'), "a sound key outside A-Z");
    return 0;
}
