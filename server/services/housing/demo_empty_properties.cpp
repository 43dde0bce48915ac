#include "server/services/housing/demo_empty_properties.hpp"

#include "core/seeded_random.hpp"
#include "core/w3c_time.hpp"

#include "server/services/housing/empty_property_dates.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

namespace wardmap::services {

namespace {

constexpr int wanted = 150;

constexpr std::array first_names = {"Alex",  "Jordan", "Morgan", "Priya",  "Tomasz", "Aisha",
                                    "Ewan",  "Grace",  "Hamid",  "Imogen", "Kwame",  "Lucy",
                                    "Mateo", "Niamh",  "Oliver", "Rhian",  "Sanjay", "Yusuf"};
constexpr std::array last_names = {"Ashworth",   "Brennan",    "Calloway", "Dunmore", "Eccleston",
                                   "Fairclough", "Gillow",     "Hesketh",  "Ingleby", "Kershaw",
                                   "Livesey",    "Marsden",    "Nuttall",  "Pilling", "Rawcliffe",
                                   "Sumner",     "Tattersall", "Whittle"};
// Fictional places for owners who live elsewhere.
constexpr std::array owner_streets = {"Demo Lane", "Example Road", "Sample Street",
                                      "Fictional Avenue", "Placeholder Close"};
constexpr std::array owner_towns = {"Testford", "Mockbury", "Samplewick", "Exampleton"};
constexpr std::array inspectors = {"Harper Housing", "Rowan Inspector", "Devi Empty-Homes"};

const char* pick_condition(core::Rng& rng, EmptyRisk risk) {
    const std::array<double, 4> weights =
        risk == EmptyRisk::high     ? std::array<double, 4>{0.05, 0.25, 0.45, 0.25}
        : risk == EmptyRisk::medium ? std::array<double, 4>{0.2, 0.5, 0.25, 0.05}
                                    : std::array<double, 4>{0.55, 0.4, 0.05, 0.0};
    constexpr std::array names = {"good", "fair", "poor", "derelict"};
    return names[rng.weighted(weights)];
}

} // namespace

DemoEmptySummary
generate_demo_empty_properties(store::Database& db, const core::Date& date, std::uint64_t seed) {
    core::Rng rng = core::Rng(seed).fork(0x486F7573);
    std::vector<std::int64_t> uprns;
    {
        auto st = db.prepare("SELECT uprn FROM properties WHERE classification LIKE 'R%' "
                             "ORDER BY uprn");
        while (st.step()) {
            uprns.push_back(st.int64(0));
        }
    }
    DemoEmptySummary summary;
    if (uprns.empty()) {
        return summary;
    }
    store::Transaction tx(db);
    const auto now = core::format_utc(core::now_seconds());
    auto property = db.prepare(
        "INSERT INTO empty_properties (uprn, source, empty_since, registered_on, furnished, "
        "risk, notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?7)");
    auto status = db.prepare(
        "INSERT INTO empty_property_status_log (property_id, status, effective_on, recorded_at, "
        "person_id, person_name, note) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)");
    auto inspection = db.prepare(
        "INSERT INTO empty_property_inspections (property_id, inspected_on, inspector_id, "
        "inspector_name, condition, security, recommended_action, notes, recorded_at) "
        "VALUES (?1, ?2, NULL, ?3, ?4, ?5, ?6, NULL, ?7)");
    auto owner =
        db.prepare("INSERT INTO empty_property_owners (property_id, name, address, phone, email, "
                   "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    const auto log_status = [&](std::int64_t id, const char* s, const core::Date& on,
                                const char* who, const char* note) {
        status.reset();
        status.bind(1, id).bind(2, s).bind(3, on.iso()).bind(4, now).bind(5, who).bind(6, note);
        status.run();
    };
    // Every k-th residential property, from a seeded start.
    const std::size_t step = std::max<std::size_t>(1, uprns.size() / wanted);
    std::size_t at = rng.index(step);
    const std::array<double, 3> risk_weights = {0.35, 0.45, 0.2};
    const std::array<double, 3> source_weights = {0.6, 0.25, 0.15};
    constexpr std::array sources = {"council_tax", "complaint", "survey"};
    for (int n = 0; n < wanted && at < uprns.size(); ++n, at += step) {
        const auto risk = static_cast<EmptyRisk>(rng.weighted(risk_weights));
        const int cadence = inspection_cadence_months(risk);
        const core::Date empty_since = add_days_to(date, -rng.range(40, 6 * 365));
        core::Date registered = add_days_to(empty_since, rng.range(14, 200));
        if (date_before(add_days_to(date, -7), registered)) {
            registered = add_days_to(date, -7);
        }
        property.reset();
        property.bind(1, uprns[at])
            .bind(2, sources[rng.weighted(source_weights)])
            .bind(3, empty_since.iso())
            .bind(4, registered.iso())
            .bind(5, rng.chance(0.3) ? 1 : 0)
            .bind(6, risk_name(risk))
            .bind(7, now)
            .run();
        const auto id = db.last_insert_rowid();
        ++summary.properties;
        log_status(id, "monitoring", registered, "Demo register import", "registered");
        // A fifth have let their last inspection lapse; some come back into use.
        const bool lapsed = rng.chance(0.2);
        const bool returns = !lapsed && rng.chance(0.1);
        std::string current = "monitoring";
        core::Date base = registered;
        int visits = 0;
        bool closed = false;
        while (!closed) {
            const core::Date due = add_months(base, cadence);
            if (date_before(date, due)) {
                break;
            }
            if (lapsed && date_before(date, add_months(due, cadence))) {
                break; // the last one due was missed
            }
            core::Date done = add_days_to(due, rng.range(-14, 10));
            if (date_before(date, done)) {
                done = date;
            }
            const char* condition = pick_condition(rng, risk);
            const bool insecure = rng.chance(risk == EmptyRisk::high ? 0.4 : 0.1);
            const char* security = insecure ? (rng.chance(0.3) ? "open" : "insecure") : "secure";
            const char* action = insecure                                    ? "emergency_works"
                                 : std::string_view(condition) == "poor"     ? "contact_owner"
                                 : std::string_view(condition) == "derelict" ? "enforcement"
                                                                             : "monitor";
            inspection.reset();
            inspection.bind(1, id)
                .bind(2, done.iso())
                .bind(3, rng.pick(inspectors))
                .bind(4, condition)
                .bind(5, security)
                .bind(6, action)
                .bind(7, now)
                .run();
            ++summary.inspections;
            ++visits;
            const char* next = std::string_view(action) == "enforcement"     ? "enforcement"
                               : std::string_view(action) == "contact_owner" ? "engaged"
                                                                             : nullptr;
            if (next != nullptr && current != next && current != "enforcement") {
                log_status(id, next, done, rng.pick(inspectors), "after inspection");
                current = next;
            }
            if (returns && visits >= 2) {
                log_status(id, "back_in_use", done, rng.pick(inspectors),
                           "occupied again at inspection");
                closed = true;
            }
            base = done;
        }
        if (!closed && is_overdue(add_months(base, cadence), date)) {
            ++summary.overdue;
        }
        if (rng.chance(0.85)) {
            const std::string first = rng.pick(first_names);
            const std::string last = rng.pick(last_names);
            const std::string address = std::to_string(rng.range(1, 120)) + " " +
                                        rng.pick(owner_streets) + ", " + rng.pick(owner_towns);
            // Ofcom keeps 01632 960000-960999 for drama: never a real line.
            const std::string phone = "01632 960" + std::to_string(100 + rng.range(0, 899));
            std::string email = first + "." + last + "@example.com";
            for (auto& c : email) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            owner.reset();
            owner.bind(1, id)
                .bind(2, first + " " + last)
                .bind(3, address)
                .bind(4, phone)
                .bind(5, email)
                .bind(6, now)
                .run();
            ++summary.owners;
        }
    }
    tx.commit();
    return summary;
}

} // namespace wardmap::services
