#include "server/services/performance/performance_service.hpp"

#include "core/working_days.hpp"

#include "server/services/shared/errors.hpp"

#include <algorithm>
#include <set>

namespace wardmap::services {

namespace {

/// Tally names the requests' source counts.
constexpr const char* received = "received";
constexpr const char* online = "online";
constexpr const char* hp_decided = "high_priority_decided";
constexpr const char* hp_within = "high_priority_within_target";
constexpr const char* closed = "closed";
constexpr const char* overdue_at_end = "overdue_at_end";
/// The residents' accounts' source.
constexpr const char* accounts_used = "accounts_used";

/// The service requests: received (and through self-service channels), high priority decided
/// and within target (of those received in the row's month, as /api/kpis counts them: a
/// request's status now), closed and the days each took (closed in the month), and those open
/// past their target at the month's end (at now for the current month).
PerformanceSource requests_source(const RequestService& requests) {
    return [&requests](store::Database& db, const PerformanceFrame& frame,
                       std::vector<PerformanceTally>& tallies) {
        const auto catalogue = requests.catalogue();
        const auto& periods = frame.periods();
        auto st = db.prepare(
            "SELECT category_code, source, created_at, closed_at, priority, expected_at, "
            "is_open, X(geom), Y(geom) FROM service_requests WHERE private = 0 AND created_at < ?2 "
            "AND (is_open = 1 OR closed_at IS NULL OR closed_at >= ?1 OR created_at >= ?1)");
        st.bind(1, core::format_utc(periods.front().start))
            .bind(2, core::format_utc(periods.back().end));
        while (st.step()) {
            const ServiceDefinition* service = catalogue->find(std::string(st.text(0)));
            if (service == nullptr || service->is_private) {
                continue;
            }
            const std::string channel(st.text(1));
            const auto created = core::parse_stored_utc(st.text(2));
            if (!created) {
                continue;
            }
            const auto closed_text = st.optional_text(3);
            const auto closed_parsed = closed_text ? core::parse_stored_utc(*closed_text)
                                                   : std::optional<core::UnixSeconds>();
            // Plain values (GCC's -Wmaybe-uninitialized cannot follow the optional's checks).
            const bool has_closed = closed_parsed.has_value();
            const core::UnixSeconds closed_at = closed_parsed.value_or(0);
            const std::string priority = st.optional_text(4).value_or(service->default_priority);
            const auto expected_text = st.optional_text(5);
            auto expected = expected_text ? core::parse_stored_utc(*expected_text)
                                          : std::optional<core::UnixSeconds>();
            if (!expected) {
                const core::Date due = core::add_working_days(
                    core::uk_date(*created), service->priority(priority).sla_working_days);
                expected = core::uk_instant(due, core::uk_seconds_of_day(*created));
            }
            const bool open = st.int64(6) != 0;
            if (st.is_null(7)) {
                continue; // no place: neither a month of a ward nor a ward
            }
            const geo::EastNorth p{st.real(7), st.real(8)};
            const int pc = frame.period_of(*created);
            const int rc = pc < 0 ? -1 : frame.row_of(static_cast<std::size_t>(pc), p);
            if (rc >= 0) {
                auto& c = tallies[static_cast<std::size_t>(rc)].counts;
                ++c[received];
                c[online] += channel == "web" || channel == "app" ? 1 : 0;
                if (priority == "high") {
                    if (!open && has_closed) {
                        ++c[hp_decided];
                        c[hp_within] += closed_at <= *expected ? 1 : 0;
                    } else if (open && *expected < frame.now) {
                        ++c[hp_decided];
                    }
                }
            }
            if (!open && has_closed) {
                const int pk = frame.period_of(closed_at);
                const int rk = pk < 0 ? -1 : frame.row_of(static_cast<std::size_t>(pk), p);
                if (rk >= 0) {
                    auto& t = tallies[static_cast<std::size_t>(rk)];
                    ++t.counts[closed];
                    t.close_days.push_back(static_cast<double>(closed_at - *created) / 86400.0);
                }
            }
            if (!open && !has_closed) {
                continue; // closed on a date not kept: not known to be open at any month end
            }
            for (std::size_t k = 0; k < periods.size(); ++k) {
                const core::UnixSeconds at = std::min(periods[k].end, frame.now);
                const bool open_then = *created < at && (open || closed_at >= at);
                if (open_then && *expected < at) {
                    const int r = frame.row_of(k, p);
                    if (r >= 0) {
                        ++tallies[static_cast<std::size_t>(r)].counts[overdue_at_end];
                    }
                }
            }
        }
    };
}

/// My Account: the accounts used (signed in or a session used) in each month, from the months
/// log of 0031 (an erased account's months stay, without the account). In a ward's rows an
/// account counts where its saved address lies; one without a saved address, or erased,
/// counts only in the borough's. By ward, an account used in several months counts once.
PerformanceSource accounts_source() {
    return [](store::Database& db, const PerformanceFrame& frame,
              std::vector<PerformanceTally>& tallies) {
        const auto& periods = frame.periods();
        auto st = db.prepare(
            "SELECT m.month, m.account_id, X(p.geom), Y(p.geom) FROM resident_account_months m "
            "LEFT JOIN resident_accounts a ON a.id = m.account_id LEFT JOIN properties p ON "
            "p.uprn = a.uprn WHERE m.month >= ?1 AND m.month <= ?2");
        st.bind(1, core::format_utc(periods.front().start).substr(0, 7))
            .bind(2, core::format_utc(periods.back().end - 1).substr(0, 7));
        std::set<std::pair<int, std::int64_t>> counted; // (row, account): once a row
        while (st.step()) {
            const auto month = core::parse_year_month(st.text(0));
            if (!month) {
                continue;
            }
            // The middle of the month: inside the period whatever its time zone.
            const core::UnixSeconds mid =
                core::uk_instant(core::Date{month->year, month->month, 15}, 12 * 3600);
            const int pc = frame.period_of(mid);
            if (pc < 0) {
                continue;
            }
            int rc = -1;
            if (!st.is_null(2)) {
                rc = frame.row_of(static_cast<std::size_t>(pc), {st.real(2), st.real(3)});
            } else if (!frame.by_ward() && !frame.one_ward()) {
                rc = pc;
            }
            if (rc < 0) {
                continue;
            }
            if (!st.is_null(1) && !counted.emplace(rc, st.int64(1)).second) {
                continue;
            }
            ++tallies[static_cast<std::size_t>(rc)].counts[accounts_used];
        }
    };
}

std::optional<double> median(std::vector<double> v) {
    if (v.empty()) {
        return std::nullopt;
    }
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

const char* PerformanceMeasure::kind_name() const {
    switch (kind) {
    case Kind::count:
        return "count";
    case Kind::share:
        return "share";
    case Kind::median_days:
        return "days";
    }
    return "count";
}

const std::vector<PerformanceMeasure>& performance_measures() {
    using K = PerformanceMeasure::Kind;
    static const std::vector<PerformanceMeasure> measures = {
        {"received", "Requests received", K::count, received, ""},
        {"online_share", "Share received online", K::share, online, received},
        {"high_priority_decided", "High-priority requests decided", K::count, hp_decided, ""},
        {"high_priority_within_target", "High-priority requests resolved within target", K::count,
         hp_within, ""},
        {"high_priority_within_target_share", "Share of high-priority resolved within target",
         K::share, hp_within, hp_decided},
        {"closed", "Requests closed", K::count, closed, ""},
        {"median_days_to_close", "Median days to close", K::median_days, "", closed},
        {"overdue_at_month_end", "Open past target at month end", K::count, overdue_at_end, ""},
        {"accounts_used", "My Account accounts used", K::count, accounts_used, ""},
    };
    return measures;
}

PerformanceFrame::PerformanceFrame(std::vector<Period> periods,
                                   std::shared_ptr<const WardIndex> index,
                                   core::Date boundaries_on,
                                   const WardRecord* ward,
                                   std::vector<const WardRecord*> row_wards)
    : m_periods(std::move(periods)), m_index(std::move(index)), m_on(boundaries_on), m_ward(ward),
      m_row_wards(std::move(row_wards)) {}

int PerformanceFrame::period_of(core::UnixSeconds t) const {
    for (std::size_t k = 0; k < m_periods.size(); ++k) {
        if (t >= m_periods[k].start && t < m_periods[k].end) {
            return static_cast<int>(k);
        }
    }
    return -1;
}

const WardRecord* PerformanceFrame::place(geo::EastNorth p) const {
    const auto key = std::make_pair(p.easting, p.northing);
    const auto it = m_placed.find(key);
    if (it != m_placed.end()) {
        return it->second;
    }
    const WardRecord* w = m_index->find(p, m_on);
    m_placed.emplace(key, w);
    return w;
}

int PerformanceFrame::row_of(std::size_t period, geo::EastNorth p) const {
    if (!by_ward()) {
        if (m_ward != nullptr && place(p) != m_ward) {
            return -1;
        }
        return static_cast<int>(period);
    }
    const WardRecord* w = place(p);
    if (w == nullptr || (m_ward != nullptr && w != m_ward)) {
        return -1;
    }
    const auto it = std::find(m_row_wards.begin(), m_row_wards.end(), w);
    return it == m_row_wards.end() ? -1 : static_cast<int>(it - m_row_wards.begin());
}

std::size_t PerformanceFrame::row_count() const {
    return by_ward() ? m_row_wards.size() : m_periods.size();
}

PerformanceService::PerformanceService(store::ConnectionPool& pool,
                                       const RequestService& requests,
                                       const WardService& wards,
                                       int suppress_below)
    : m_pool(pool), m_requests(requests), m_wards(wards), m_suppress_below(suppress_below) {
    m_sources.push_back(requests_source(m_requests));
    m_sources.push_back(accounts_source());
}

void PerformanceService::add_source(PerformanceSource source) {
    m_sources.push_back(std::move(source));
}

PerformanceAnswer PerformanceService::measure(const PerformanceQuery& q) const {
    const core::UnixSeconds now = core::now_seconds();
    const core::Date today = core::uk_date(now);
    const core::YearMonth this_month{today.year, today.month};
    if (q.from.index() > q.to.index()) {
        invalid_parameter("from", "must not be after to (" + q.to.iso() + ")");
    }
    if (q.to.index() > this_month.index()) {
        invalid_parameter("to", "must not be after this month (" + this_month.iso() + ")");
    }
    if (q.to.index() - q.from.index() + 1 > max_months) {
        invalid_parameter("to", "is more than 36 months from 'from' (" + q.from.iso() + ")");
    }
    PerformanceAnswer a;
    a.from = q.from;
    a.to = q.to;
    a.by_ward = q.by_ward;
    a.suppress_below = m_suppress_below;
    a.boundaries_on = q.to.index() == this_month.index() ? today : q.to.last_day();
    const auto index = m_wards.index();
    const int on = date_key(a.boundaries_on);
    const auto in_force = [on](const WardRecord& w) {
        const auto f = core::parse_iso_date(w.valid_from);
        const auto t = w.valid_to ? core::parse_iso_date(*w.valid_to) : std::nullopt;
        return f && date_key(*f) <= on && (!t || on < date_key(*t));
    };
    const WardRecord* ward = nullptr;
    if (q.ward) {
        bool known = false;
        for (const auto& w : index->wards()) {
            if (w.code == *q.ward) {
                known = true;
                ward = in_force(w) ? &w : ward;
            }
        }
        if (!known) {
            throw DomainError(ErrorCode::not_found,
                              "no ward has the code '" + q.ward->substr(0, 20) + "'");
        }
        if (ward == nullptr) {
            throw DomainError(ErrorCode::not_found, "the ward " + q.ward->substr(0, 20) +
                                                        " was not in force on " +
                                                        a.boundaries_on.iso());
        }
        a.ward_code = ward->code;
        a.ward_name = ward->name;
    }
    std::vector<PerformanceFrame::Period> periods;
    const auto start_of = [](const core::YearMonth& m) {
        return core::uk_instant(m.first_day(), 0);
    };
    if (q.by_ward) {
        periods.push_back(
            {start_of(q.from), start_of(core::YearMonth::from_index(q.to.index() + 1))});
    } else {
        for (int m = q.from.index(); m <= q.to.index(); ++m) {
            periods.push_back({start_of(core::YearMonth::from_index(m)),
                               start_of(core::YearMonth::from_index(m + 1))});
        }
    }
    std::vector<const WardRecord*> row_wards;
    if (q.by_ward) {
        for (const auto& w : index->wards()) { // sorted by code
            if (in_force(w) && (ward == nullptr || &w == ward)) {
                row_wards.push_back(&w);
            }
        }
        if (row_wards.empty()) {
            return a; // no boundaries on that date: no wards to show
        }
    }
    PerformanceFrame frame(std::move(periods), index, a.boundaries_on, ward, row_wards);
    frame.now = now;
    std::vector<PerformanceTally> tallies(frame.row_count());
    {
        auto db = m_pool.acquire();
        for (const auto& source : m_sources) {
            source(*db, frame, tallies);
        }
    }
    const auto small = [this](std::int64_t n) { return n > 0 && n < m_suppress_below; };
    const auto& measures = performance_measures();
    for (std::size_t r = 0; r < tallies.size(); ++r) {
        PerformanceRow row;
        if (q.by_ward) {
            row.label = row_wards[r]->code;
            row.name = row_wards[r]->name;
        } else {
            row.label = core::YearMonth::from_index(q.from.index() + static_cast<int>(r)).iso();
        }
        const auto& t = tallies[r];
        const auto count = [&t](const std::string& name) -> std::int64_t {
            const auto it = t.counts.find(name);
            return it == t.counts.end() ? 0 : it->second;
        };
        for (const auto& m : measures) {
            PerformanceCell cell;
            switch (m.kind) {
            case PerformanceMeasure::Kind::count: {
                const auto n = count(m.numerator);
                cell.suppressed = small(n);
                if (!cell.suppressed) {
                    cell.value = static_cast<double>(n);
                }
                break;
            }
            case PerformanceMeasure::Kind::share: {
                const auto part = count(m.numerator);
                const auto whole = count(m.denominator);
                // The share would give away a suppressed count beside a shown one.
                cell.suppressed = small(whole) || small(part);
                if (!cell.suppressed && whole > 0) {
                    cell.value = static_cast<double>(part) / static_cast<double>(whole);
                }
                break;
            }
            case PerformanceMeasure::Kind::median_days:
                cell.suppressed = small(count(m.denominator));
                if (!cell.suppressed) {
                    cell.value = median(t.close_days);
                }
                break;
            }
            row.cells.push_back(cell);
        }
        a.rows.push_back(std::move(row));
    }
    return a;
}

} // namespace wardmap::services
