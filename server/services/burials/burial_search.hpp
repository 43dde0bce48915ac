#pragma once

// The public genealogy search of the burial register (docs/burials.md "Public grave search"):
// account-free, by surname (and optionally forenames) with sound-alike matching through the
// name keys of 0021 (geo/store/burial_name_keys), a year range of burial and a cemetery.
// It answers only what a headstone or a printed register index would show: the deceased's
// names, age, dates of death and burial, cemetery, section, grave number and the grave's
// place. Never grant holders, applicants, funeral directors, ministers, fees, the last
// address or parents' names (they are not even read). Burials in the last `embargo_days` are
// hidden, and by policy babies' and stillborn children's. Thread-safe.

#include "core/dates.hpp"

#include "geo/store/connection_pool.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

struct BurialSearchPolicy {
    /// Burials on or after today - embargo_days are not shown (`--burial-search-embargo-days`).
    int embargo_days = 30;
    /// Leave out stillborn children, burials under one year old and burials in a baby section
    /// or grave (`--burial-search-exclude-infants`, on by default).
    bool exclude_infants = true;
    /// `total` counts matches up to this many (`--burial-search-count-cap`); past it the answer
    /// says only that there are more, and the search reads no more than its page needs.
    int total_cap = 1000;
};

struct BurialSearchQuery {
    std::string name;                    ///< "Smith", "John Smith", "Smith, John"
    std::optional<int> year_from;        ///< of burial, inclusive
    std::optional<int> year_to;          ///< of burial, inclusive
    std::optional<std::string> cemetery; ///< id or name (any case)
    int page = 1;
    int limit = 20;
    static constexpr int max_limit = 100;
};

struct BurialSearchHit {
    std::int64_t interment_id = 0;
    std::optional<std::string> forenames;
    std::string surname;
    std::optional<std::string> age; ///< as registered: "72 years", "3 months 2 days", "stillborn"
    std::optional<std::string> died_on;
    std::string buried_on;
    std::int64_t cemetery_id = 0;
    std::string cemetery, section, grave_number;
    std::int64_t grave_id = 0;
    std::optional<double> lon, lat; ///< the grave's centre (WGS84)
    bool exact = false;             ///< spelled as asked (else it sounds alike)
    /// Moved by licence: when, and where to when the new grave is one of the council's.
    std::optional<std::string> disinterred_on;
    std::optional<std::string> reinterred_cemetery, reinterred_grave_number;
    std::optional<std::int64_t> reinterred_grave_id;
};

struct BurialSearchResult {
    std::int64_t total = 0;    ///< the matches, counted up to the policy's total_cap
    bool total_capped = false; ///< there are more than total_cap (total is total_cap)
    std::vector<BurialSearchHit> hits;
};

class BurialSearch {
  public:
    BurialSearch(store::ConnectionPool& pool, BurialSearchPolicy policy);

    /// 400 (invalid_parameter, naming the field) for a name without a surname of two letters,
    /// a name over 200 characters, years outside 1500..9999 or the wrong way round, an unknown
    /// cemetery, a page below 1 or a limit outside 1..100.
    [[nodiscard]] BurialSearchResult search(const BurialSearchQuery& query,
                                            const core::Date& today) const;

    /// Indexes the names of interments written without keys (an upgraded database): at start.
    std::int64_t index_missing() const;

    [[nodiscard]] const BurialSearchPolicy& policy() const { return m_policy; }

  private:
    store::ConnectionPool& m_pool;
    BurialSearchPolicy m_policy;
};

} // namespace wardmap::services
