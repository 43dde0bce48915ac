#include "server/services/streetscene/demo_crews.hpp"

#include "core/seeded_random.hpp"
#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include "server/services/streetscene/crew_service.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace wardmap::services {

namespace {

struct DemoCrew {
    const char* code;
    const char* name;
    const char* depot;
    const char* vehicle;
    std::vector<const char*> members; ///< synthetic officers, who cannot sign in
};

struct Member {
    std::int64_t id = 0;
    std::string name;
};

/// Why a visit of this kind of activity is not done, and how often each reason is given.
const char* reason_for(const std::string& activity, core::Rng& rng) {
    const double u = rng.uniform();
    if (activity == "household_waste" || activity == "recycling" || activity == "garden_waste") {
        return u < 0.5 ? "not_needed" : (u < 0.75 ? "blocked_access" : "parked_car");
    }
    if (activity == "cut_grass" || activity == "flail_verges") {
        return u < 0.6 ? "weather" : (u < 0.8 ? "unsafe" : "not_needed");
    }
    return u < 0.5 ? "parked_car" : (u < 0.75 ? "weather" : "unsafe");
}

std::optional<std::string> quantities_for(const std::string& activity, core::Rng& rng) {
    if (activity == "empty_litter_bins" || activity == "empty_dog_bins") {
        return R"({"bins_emptied":1,"fill_percent":)" + std::to_string(rng.range(2, 10) * 10) + "}";
    }
    if (activity == "sweep") {
        return R"({"bags":)" + std::to_string(rng.range(0, 4)) + "}";
    }
    if (activity == "cut_grass" || activity == "flail_verges") {
        return R"({"area_m2":)" + std::to_string(rng.range(4, 60) * 50) + "}";
    }
    return R"({"bins_emptied":1})";
}

} // namespace

DemoCrewsSummary
generate_demo_crews(store::Database& db, const core::Date& date, std::uint64_t seed) {
    DemoCrewsSummary summary;
    store::Transaction tx(db);
    core::Rng rng = core::Rng(seed).fork(0xC4E3);
    const std::string created = date.iso() + "T06:00:00Z";
    const std::vector<DemoCrew> crews = {
        {"waste-tue",
         "Refuse and recycling, Tuesday",
         "Bengal Street depot",
         "RCV-01",
         {"Jo Loader", "Pat Driver", "Lee Loader"}},
        {"waste-thu",
         "Refuse and recycling, Thursday",
         "Bengal Street depot",
         "RCV-03",
         {"Chris Driver", "Mo Loader", "Dee Loader"}},
        {"garden", "Garden waste", "Bengal Street depot", "RCV-05", {"Robin Driver", "Ash Loader"}},
        {"cleansing", "Street cleansing", "Town Hall yard", "CAGED-1", {"Kit Sweeper"}},
        {"grounds",
         "Grounds maintenance",
         "Astley Park depot",
         "MOWER-1",
         {"Ellis Mower", "Rowan Mower"}},
    };
    std::optional<std::int64_t> demo_officer;
    {
        auto q = db.prepare("SELECT id FROM people WHERE email = 'streetscene@demo.wardmap.test'");
        if (q.step()) {
            demo_officer = q.int64(0);
        }
    }
    std::map<std::string, std::vector<Member>> members;
    auto add_person = db.prepare("INSERT INTO people (email, name, status, created_at, "
                                 "updated_at) VALUES (?1, ?2, 'active', ?3, ?3)");
    auto add_role = db.prepare("INSERT INTO person_roles (person_id, role, team) VALUES (?, "
                               "'officer', 'streetscene')");
    for (const auto& c : crews) {
        std::vector<std::int64_t> ids;
        int n = 0;
        for (const char* name : c.members) {
            add_person
                .bind(1, std::string("crew.") + c.code + "." + std::to_string(++n) +
                             "@demo.wardmap.test")
                .bind(2, name)
                .bind(3, created);
            add_person.run();
            const auto id = db.last_insert_rowid();
            add_role.bind(1, id);
            add_role.run();
            ids.push_back(id);
            members[c.code].push_back({id, name});
        }
        if (std::string_view(c.code) == "cleansing" && demo_officer) {
            ids.push_back(*demo_officer);
            members[c.code].push_back({*demo_officer, "Sam Streetscene"});
        }
        CrewService::save_crew(db, {c.code, c.name, c.depot, c.vehicle}, ids);
        ++summary.crews;
        summary.members += static_cast<int>(ids.size());
    }

    // Every visit before `date` is worked, in work order, by a member of its crew.
    struct Pending {
        std::int64_t id;
        std::string planned;
        std::string activity;
        std::string crew;
    };
    const auto pending = [&db, &date](bool rolls) {
        std::vector<Pending> out;
        auto q = db.prepare(
            "SELECT v.id, v.planned_date, r.activity, coalesce((SELECT rc.crew_code FROM "
            "schedule_round_crews rc WHERE rc.round_id = v.round_id AND rc.from_date <= "
            "v.planned_date ORDER BY rc.from_date DESC LIMIT 1), r.team, '') FROM "
            "schedule_visits v JOIN schedule_rounds r ON r.id = v.round_id JOIN "
            "schedule_round_stops s ON s.id = v.stop_id WHERE v.planned_date < ?1 AND "
            "(v.rolled_from IS NOT NULL) = ?2 AND NOT EXISTS (SELECT 1 FROM "
            "schedule_visit_completions c WHERE c.visit_id = v.id) ORDER BY v.planned_date, "
            "r.code, s.seq, v.id");
        q.bind(1, date.iso()).bind(2, rolls ? 1 : 0);
        while (q.step()) {
            out.push_back({q.int64(0), std::string(q.text(1)), std::string(q.text(2)),
                           std::string(q.text(3))});
        }
        return out;
    };
    std::map<std::pair<std::string, std::string>, int> done_that_day; // (date, crew) -> visits
    const auto work = [&](const Pending& v, bool may_fail) {
        const auto it = members.find(v.crew);
        if (it == members.end() || it->second.empty()) {
            return;
        }
        const auto planned = *core::parse_iso_date(v.planned);
        const Member& who = it->second[static_cast<std::size_t>(
            rng.range(0, static_cast<int>(it->second.size()) - 1))];
        // From 07:00, a stop every minute and a half or so, until the shift ends.
        const int n = done_that_day[{v.planned, v.crew}]++;
        const int seconds = std::min(7 * 3600 + n * 90 + rng.range(0, 60), 14 * 3600 + 1800);
        const core::UnixSeconds at = core::uk_instant(planned, seconds);
        const core::UnixSeconds recorded = at + rng.range(2, 300);
        CompletionInput in;
        in.client_id = "demo-visit-" + std::to_string(v.id);
        in.outcome = "done";
        in.at = at;
        if (may_fail && rng.chance(0.05) && date_less(core::add_working_days(planned, 1), date)) {
            // Not done; rolled to the next working day unless not needed (which is only
            // given where that day is before `date`, so every roll is worked too).
            in.outcome = "not_done";
            in.reason = reason_for(v.activity, rng);
        } else {
            in.quantities = quantities_for(v.activity, rng);
        }
        Principal p;
        p.kind = Principal::Kind::person;
        p.id = who.id;
        p.name = who.name;
        p.grants.push_back({Role::officer, {}, {Team::streetscene}});
        const auto result = CrewService::record_completion_in(db, p, v.id, in, recorded);
        ++summary.completions;
        if (result.completion.rolled_to) {
            ++summary.rolled;
        }
    };
    for (const auto& v : pending(false)) {
        work(v, true);
    }
    for (const auto& v : pending(true)) {
        work(v, false);
    }
    tx.commit();
    return summary;
}

} // namespace wardmap::services
