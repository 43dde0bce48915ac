#include "server/services/burials/burial_search.hpp"

#include "geo/store/burial_name_keys.hpp"
#include "server/services/shared/errors.hpp"

#include <charconv>

namespace wardmap::services {

namespace {

std::string age_text(const store::Statement& st, int col) {
    // col: years, months, weeks, days, stillborn
    if (st.int64(col + 4) != 0) {
        return "stillborn";
    }
    static constexpr const char* units[] = {"year", "month", "week", "day"};
    std::string out;
    for (int k = 0; k < 4; ++k) {
        if (st.is_null(col + k)) {
            continue;
        }
        const std::int64_t v = st.int64(col + k);
        out += (out.empty() ? "" : " ") + std::to_string(v) + " " + units[k] + (v == 1 ? "" : "s");
    }
    return out;
}

std::optional<std::int64_t> whole_number(const std::string& text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end) {
        return std::nullopt;
    }
    return v;
}

} // namespace

BurialSearch::BurialSearch(store::ConnectionPool& pool, BurialSearchPolicy policy)
    : m_pool(pool), m_policy(policy) {}

std::int64_t BurialSearch::index_missing() const {
    auto db = m_pool.acquire();
    return store::index_missing_interment_names(*db);
}

BurialSearchResult BurialSearch::search(const BurialSearchQuery& q, const core::Date& today) const {
    if (q.name.size() > 200) {
        invalid_parameter("name", "is longer than 200 characters");
    }
    const auto name = store::parse_name_query(q.name);
    if (!name) {
        invalid_parameter("name", "needs a surname of at least two letters (\"Smith\", \"John "
                                  "Smith\" or \"Smith, John\")");
    }
    const auto check_year = [](const char* field, const std::optional<int>& year) {
        if (year && (*year < 1500 || *year > 9999)) {
            invalid_parameter(field, "must be a year from 1500 to 9999");
        }
    };
    check_year("year_from", q.year_from);
    check_year("year_to", q.year_to);
    if (q.year_from && q.year_to && *q.year_from > *q.year_to) {
        invalid_parameter("year_to", "is before year_from");
    }
    if (q.limit < 1 || q.limit > BurialSearchQuery::max_limit) {
        invalid_parameter("limit", "must be from 1 to 100");
    }
    if (q.page < 1 || q.page > 10000) {
        invalid_parameter("page", "must be from 1 to 10000");
    }
    auto db = m_pool.acquire();
    std::optional<std::int64_t> cemetery;
    if (q.cemetery) {
        auto st = db->prepare_cached(
            "SELECT id FROM cemeteries WHERE id = ?1 OR name = ?2 COLLATE NOCASE LIMIT 1");
        const auto id = whole_number(*q.cemetery);
        st.bind(1, id.value_or(-1)).bind(2, *q.cemetery);
        if (!st.step()) {
            invalid_parameter("cemetery", "is not a cemetery of the register: '" +
                                              q.cemetery->substr(0, 60) + "'");
        }
        cemetery = st.int64(0);
    }

    // Step 1: the page's ids in order, and how many match, from the key rows alone.
    std::string keys;
    for (std::size_t k = 0; k < name->keys.size(); ++k) {
        keys += (k ? ", ?" : "?") + std::to_string(20 + k);
    }
    // A forename matches a word of the burial's forenames it begins ("Eliz" finds Elizabeth),
    // or one that sounds the same when the sound has three consonants or more (Catherine,
    // Katherine); shorter sounds are too common to tell names apart (John, Joan, Jean, Jane).
    std::string forenames_match, forenames_exact;
    for (std::size_t k = 0; k < name->forenames.size(); ++k) {
        const std::string s = "?" + std::to_string(40 + 2 * k),
                          key = "?" + std::to_string(41 + 2 * k);
        forenames_match += " AND (instr(n.forename_spellings, ' ' || " + s + ") > 0" +
                           (name->forename_keys[k].size() >= 3
                                ? " OR instr(n.forename_keys, ' ' || " + key + " || ' ') > 0"
                                : std::string()) +
                           ")";
        forenames_exact += " AND instr(h.forename_spellings, ' ' || " + s + " || ' ') > 0";
    }
    // Only the key rows are read (0026 copied into them what the filter and the order need):
    // one range of their primary key per key, never the wide interment and grave rows. An
    // interment under several of the asked keys ("Smith-Jones") is counted once.
    std::string sql =
        "WITH hits AS (SELECT n.interment_id AS id, n.surname_spelling, n.forename_spellings, "
        "n.surname, n.forenames, n.buried_on FROM interment_name_keys n WHERE n.key IN (" +
        keys +
        ") AND n.buried_on <= date(?2, '-' || ?3 || ' days') AND (?4 IS NULL OR n.buried_on >= "
        "?4) AND (?5 IS NULL OR n.buried_on <= ?5) AND (?6 IS NULL OR n.cemetery_id = ?6)" +
        forenames_match + (m_policy.exclude_infants ? " AND n.infant = 0" : "") +
        (name->keys.size() > 1 ? " GROUP BY n.interment_id" : "") +
        ") SELECT h.id, (h.surname_spelling = ?1" + forenames_exact +
        ") AS exact, count(*) OVER () FROM hits h ORDER BY exact DESC, h.surname, h.forenames, "
        "h.buried_on, h.id LIMIT ?7 OFFSET ?8";
    auto st = db->prepare_cached(sql);
    st.bind(1, name->surname).bind(2, today.iso()).bind(3, std::int64_t{m_policy.embargo_days});
    if (q.year_from) {
        st.bind(4, std::to_string(*q.year_from) + "-01-01");
    }
    if (q.year_to) {
        st.bind(5, std::to_string(*q.year_to) + "-12-31");
    }
    st.bind(6, cemetery).bind(7, std::int64_t{q.limit});
    st.bind(8, std::int64_t{q.limit} * (q.page - 1));
    for (std::size_t k = 0; k < name->keys.size(); ++k) {
        st.bind(static_cast<int>(20 + k), name->keys[k]);
    }
    for (std::size_t k = 0; k < name->forenames.size(); ++k) {
        st.bind(static_cast<int>(40 + 2 * k), name->forenames[k]);
        if (name->forename_keys[k].size() >= 3) { // bound only where the SQL has it
            st.bind(static_cast<int>(41 + 2 * k), name->forename_keys[k]);
        }
    }
    BurialSearchResult out;
    while (st.step()) {
        BurialSearchHit h;
        h.interment_id = st.int64(0);
        h.exact = st.int64(1) != 0;
        out.total = st.int64(2);
        out.hits.push_back(std::move(h));
    }

    // Step 2: what the public may see of each, for this page only. Nothing else is read.
    auto row = db->prepare_cached(
        "SELECT i.forenames, i.surname, i.age_years, i.age_months, i.age_weeks, i.age_days, "
        "i.stillborn, i.died_on, i.buried_on, c.id, c.name, s.name, g.grave_number, g.id, "
        "X(ST_Centroid(g.geom_wgs84)), Y(ST_Centroid(g.geom_wgs84)), d.disinterred_on, rc.name, "
        "rg.grave_number, rg.id FROM interments i JOIN grave_spaces g ON g.id = i.grave_id JOIN "
        "cemetery_sections s ON s.id = g.section_id JOIN cemeteries c ON c.id = g.cemetery_id "
        "LEFT JOIN disinterments d ON d.interment_id = i.id LEFT JOIN grave_spaces rg ON rg.id = "
        "d.reinterred_grave_id LEFT JOIN cemeteries rc ON rc.id = rg.cemetery_id WHERE i.id = ?1");
    for (auto& h : out.hits) {
        row.bind(1, h.interment_id);
        if (row.step()) {
            h.forenames = row.optional_text(0);
            h.surname = std::string(row.text(1));
            if (auto a = age_text(row, 2); !a.empty()) {
                h.age = std::move(a);
            }
            h.died_on = row.optional_text(7);
            h.buried_on = std::string(row.text(8));
            h.cemetery_id = row.int64(9);
            h.cemetery = std::string(row.text(10));
            h.section = std::string(row.text(11));
            h.grave_number = std::string(row.text(12));
            h.grave_id = row.int64(13);
            if (!row.is_null(14)) {
                h.lon = row.real(14);
                h.lat = row.real(15);
            }
            h.disinterred_on = row.optional_text(16);
            h.reinterred_cemetery = row.optional_text(17);
            h.reinterred_grave_number = row.optional_text(18);
            if (!row.is_null(19)) {
                h.reinterred_grave_id = row.int64(19);
            }
        }
        row.reset();
    }
    return out;
}

} // namespace wardmap::services
