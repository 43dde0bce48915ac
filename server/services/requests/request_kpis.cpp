#include "core/working_days.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/active_accounts.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace wardmap::services {

using namespace request_detail;

Kpis RequestService::kpis(const KpiQuery& q) const {
    Kpis k;
    k.catalogue = this->catalogue();
    const auto& catalogue = k.catalogue;
    k.to = q.to.value_or(core::date_from_days(now() / 86400)); // today, UTC
    k.from =
        q.from.value_or(core::date_from_days(core::days_since_epoch(k.to) - default_window_days));
    k.ward = q.ward;
    const long span = core::days_since_epoch(k.to) - core::days_since_epoch(k.from);
    if (span < 0) {
        invalid_parameter("from", "is after 'to'");
    }
    if (span > 3 * 366) {
        invalid_parameter("to", "is more than three years after 'from'");
    }
    for (const auto& s : catalogue->services()) {
        if (!s.is_private) {
            k.by_service.emplace_back(&s, KpiFigures{});
        }
    }
    const core::UnixSeconds start = core::uk_instant(k.from, 0);
    const core::UnixSeconds end =
        core::uk_instant(core::date_from_days(core::days_since_epoch(k.to) + 1), 0);
    // The ward is derived, never read from the stored column: each request's point against the
    // boundaries in force on `to` (the range's end), as MyWard and /api/performance place them.
    const auto index = m_wards.index();
    const WardRecord* ward = nullptr;
    if (q.ward) {
        const int on = date_key(k.to);
        bool known = false;
        for (const auto& w : index->wards()) {
            if (w.code != *q.ward) {
                continue;
            }
            known = true;
            const auto f = core::parse_iso_date(w.valid_from);
            const auto t = w.valid_to ? core::parse_iso_date(*w.valid_to) : std::nullopt;
            if (f && date_key(*f) <= on && (!t || on < date_key(*t))) {
                ward = &w;
            }
        }
        if (!known) {
            throw DomainError(ErrorCode::not_found,
                              "no ward has the code '" + q.ward->substr(0, 20) + "'");
        }
        if (ward == nullptr) {
            throw DomainError(ErrorCode::not_found, "the ward " + q.ward->substr(0, 20) +
                                                        " was not in force on " + k.to.iso());
        }
    }
    auto db = m_pool.acquire();
    k.active_accounts = count_active_accounts(*db, now());
    auto st = db->prepare("SELECT category_code, status, source, created_at, closed_at, priority, "
                          "expected_at, X(geom), Y(geom) FROM service_requests WHERE private = 0 "
                          "AND created_at >= ?1 AND created_at < ?2");
    st.bind(1, core::format_utc(start)).bind(2, core::format_utc(end));
    const core::UnixSeconds current_time = now();
    std::vector<double> all_days;
    std::map<const ServiceDefinition*, std::vector<double>> service_days;
    while (st.step()) {
        const ServiceDefinition* service = catalogue->find(std::string(st.text(0)));
        if (service == nullptr || service->is_private) {
            continue;
        }
        if (ward != nullptr &&
            (st.is_null(7) || index->find({st.real(7), st.real(8)}, k.to) != ward)) {
            continue;
        }
        auto it = std::find_if(k.by_service.begin(), k.by_service.end(),
                               [service](const auto& p) { return p.first == service; });
        KpiFigures& f = it->second;
        const std::string status(st.text(1));
        const std::string channel(st.text(2));
        const auto created = core::parse_w3c_datetime(st.text(3)).value_or(0);
        const auto closed_at = parse_stored(st.optional_text(4));
        const std::string priority = st.optional_text(5).value_or(service->default_priority);
        auto expected = parse_stored(st.optional_text(6));
        if (!expected) {
            const core::Date due = core::add_working_days(
                core::uk_date(created), service->priority(priority).sla_working_days);
            expected = core::uk_instant(due, core::uk_seconds_of_day(created));
        }
        const auto* info = status_info(status);
        const bool open = info == nullptr || info->open;
        for (KpiFigures* g : {&k.all, &f}) {
            ++g->received;
            ++g->by_channel[channel];
            g->online += channel == "web" || channel == "app" ? 1 : 0;
            if (open) {
                ++g->open;
                g->overdue += *expected < current_time ? 1 : 0;
            } else {
                ++g->closed;
            }
            if (priority == "high") {
                if (!open && closed_at) {
                    ++g->high_priority_decided;
                    g->high_priority_within_target += *closed_at <= *expected ? 1 : 0;
                } else if (open && *expected < current_time) {
                    ++g->high_priority_decided;
                }
            }
        }
        if (!open && closed_at) {
            const double days = static_cast<double>(*closed_at - created) / 86400.0;
            all_days.push_back(days);
            service_days[service].push_back(days);
        }
    }
    const auto summarise = [](KpiFigures& f, std::vector<double>& days) {
        if (days.empty()) {
            return;
        }
        double sum = 0;
        for (const double d : days) {
            sum += d;
        }
        f.mean_days_to_close = sum / static_cast<double>(days.size());
        std::sort(days.begin(), days.end());
        const std::size_t n = days.size();
        f.median_days_to_close = n % 2 == 1 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
    };
    summarise(k.all, all_days);
    for (auto& [service, figures] : k.by_service) {
        summarise(figures, service_days[service]);
    }
    return k;
}

} // namespace wardmap::services
