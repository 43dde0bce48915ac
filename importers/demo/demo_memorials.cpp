// The demo cemeteries' memorials and their safety inspections (docs/burials.md "Memorials").
// About one grave in twelve that has a burial gets a memorial, erected by a local mason six to
// eighteen months after the first burial, under a permit. From 2011 (when the council began its
// five-yearly programme) each is inspected about five years after it was erected or last
// inspected; most pass, some fail and are laid flat or staked (a failed memorial of immediate
// risk is seen again a month later and repaired, except some six in ten of those of the last
// three years, still waiting), and about one in seven misses its latest round, so the due and
// overdue lists have something on them. Deterministic for the seed and the reference date: nothing
// is dated on or after it.

#include "core/working_days.hpp"

#include "importers/demo/demo_model.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

constexpr const char* masons[] = {"Chorley Memorials Ltd",     "Adlington Stone Co.",
                                  "Pennine Masonry & Sons",    "Ribble Valley Memorials",
                                  "Leyland Monumental Masons", "Westhoughton Granite Works"};
constexpr const char* inspectors[] = {"Bereavement Services memorial team",
                                      "Grounds maintenance (memorial safety)",
                                      "Contract inspector (BRAMM)"};

std::string iso(long days) {
    return core::date_from_days(days).iso();
}
long day_of(int year, int month = 1, int day = 1) {
    return core::days_since_epoch(core::Date{year, month, day});
}

std::string type_for(Rng& rng, const std::string& section_kind, const std::string& grave_type) {
    if (section_kind == "baby") {
        return "plaque";
    }
    if (grave_type == "cremated_remains" || section_kind == "family_ashes" ||
        section_kind == "garden_of_remembrance") {
        static constexpr double w[] = {55, 30, 15};
        static constexpr const char* t[] = {"tablet", "plaque", "vase"};
        return t[rng.weighted(w)];
    }
    if (section_kind == "lawn" || section_kind == "muslim") {
        return "headstone";
    }
    static constexpr double w[] = {60, 20, 10, 7, 3};
    static constexpr const char* t[] = {"headstone", "kerb_set", "cross", "book", "statue"};
    return t[rng.weighted(w)];
}

} // namespace

MemorialRecords make_memorials(Rng rng,
                               const Cemeteries& cemeteries,
                               const BurialRecords& burials,
                               const std::string& reference_date) {
    const auto ref = core::parse_iso_date(reference_date.substr(0, 10));
    if (!ref) {
        throw std::invalid_argument("demo memorials: reference date " + reference_date);
    }
    const long last = core::days_since_epoch(*ref) - 1;
    // Each grave's first burial (the register is in date order per cemetery).
    std::map<std::size_t, const DemoInterment*> first;
    for (const auto& i : burials.interments) {
        auto& f = first[i.grave];
        if (!f || i.buried_on < f->buried_on) {
            f = &i;
        }
    }
    MemorialRecords out;
    std::map<int, int> permits; // per year
    for (const auto& [grave, burial] : first) {
        const GraveSpace& g = cemeteries.graves[grave];
        if (g.type == "public" || !rng.chance(0.085)) {
            continue;
        }
        const long buried = core::days_since_epoch(*core::parse_iso_date(burial->buried_on));
        const long erected = buried + rng.range(180, 540);
        if (erected > last) {
            continue;
        }
        const auto& section = cemeteries.sections[g.section];
        DemoMemorial m;
        m.grave = grave;
        const int year = core::date_from_days(erected).year;
        m.permit_number = "MP/" + std::to_string(year) + "/" + std::to_string(++permits[year]);
        m.mason = rng.pick(masons);
        m.memorial_type = type_for(rng, section.kind, g.type);
        m.inscription = "In loving memory of " +
                        (burial->forenames.empty() ? std::string("baby") : burial->forenames) +
                        " " + burial->surname;
        m.erected_on = iso(erected);
        const std::size_t index = out.memorials.size();
        out.memorials.push_back(std::move(m));

        // Five-yearly inspections from the programme's start.
        long due = erected + 365 * 5;
        while (due < day_of(2011, 4, 1)) {
            due += 365 * 5;
        }
        while (due <= last) {
            if (due > last - 365 * 5 && rng.chance(0.15)) {
                break; // missed its latest round: overdue now
            }
            const long on = std::min(last, due + rng.range(-60, 60));
            DemoMemorialInspection x;
            x.memorial = index;
            x.inspected_on = iso(on);
            x.inspector = rng.pick(inspectors);
            if (rng.chance(0.86)) {
                x.result = "pass";
                x.risk_category = 3;
                x.action = "none";
                out.inspections.push_back(std::move(x));
                due = on + 365 * 5;
                continue;
            }
            x.result = "fail";
            static constexpr double w[] = {25, 40, 35};
            x.risk_category = 1 + static_cast<int>(rng.weighted(w));
            if (x.risk_category == 1) {
                x.action = rng.chance(0.7) ? "laid_flat" : "staked";
                x.notes = "moved more than 20 mm under the hand test; the family told by letter";
            } else if (x.risk_category == 2) {
                x.action = rng.chance(0.5) ? "staked" : "made_safe";
                x.notes = "loose at the base";
            } else {
                x.action = "none";
                x.notes = "minor movement; see at the next round";
            }
            const int risk = x.risk_category;
            out.inspections.push_back(std::move(x));
            if (risk == 1) {
                // Seen again a month on; about half are repaired by then.
                const long again = on + rng.range(25, 35);
                // Older ones were all put right; of the last three years' some six in ten wait
                // still.
                if (again > last || (on > last - 1095 && rng.chance(0.6))) {
                    break;
                }
                out.inspections.push_back({index, iso(again), rng.pick(inspectors), "pass", 3,
                                           "repaired", "refixed by the mason to BS 8415"});
                due = again + 365 * 5;
            } else if (risk == 2) {
                due = on + 365;
            } else {
                due = on + 365 * 5;
            }
        }
    }
    return out;
}

} // namespace wardmap::importers::demo
