// About a century of the demo cemeteries' burial register, grants of exclusive right of burial
// with their holders, and the grants' histories: the facts each grave's status is derived from
// (docs/burials.md). Deterministic for the seed and the reference date: nothing is dated on or
// after the reference date.
//
// Old sections (traditional graves) were filled from 1926 to the 1990s, a grant bought at
// each private grave's first burial; later burials in the grave follow years apart, often after
// the right passed on the holder's death. Newer sections (lawn, Muslim, family ashes, the
// garden of remembrance, the baby garden) fill row by row from 1990. Holders are synthetic
// living people and always carry a middle initial ("Joan K. Ainscough"), which no deceased's
// name has, so a scan of public output for them cannot be fooled by a deceased namesake.

#include "core/working_days.hpp"

#include "importers/demo/demo_model.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace wardmap::importers::demo {

namespace {

constexpr const char* surnames[] = {
    "Ainscough", "Haydock", "Whittle", "Livesey", "Baxendale", "Cowburn", "Worden", "Bretherton",
    "Sumner", "Marsden", "Tootell", "Halliwell", "Greenhalgh", "Rigby", "Parkinson", "Hindle",
    "Catterall", "Clayton", "Gaskell", "Heaton", "Miller", "Sharples", "Walmsley", "Fazackerley",
    "Aspinall", "Brindle", "Crook", "Dewhurst", "Eccleston", "Fairclough", "Gorton", "Holden",
    "Iddon", "Jolly", "Kay", "Leyland", "Moss", "Nightingale", "Ormerod", "Pilkington", "Riley",
    "Shaw", "Taylor", "Unsworth", "Vickers", "Wilding", "Yates", "Hussain", "Patel", "Khan",
    "Kowalski", "O'Neill", "Murphy", "Nowak", "Begum", "Ahmed",
    // Spellings a register really has side by side (the public search finds one by another).
    "Smith", "Smyth", "Thompson", "Thomson", "McDonald", "Macdonald", "Ainscow"};
constexpr const char* women_old[] = {"Mary",  "Annie",    "Elizabeth", "Margaret", "Alice",
                                     "Edith", "Florence", "Ellen",     "Sarah",    "Jane",
                                     "Ada",   "Nellie",   "Doris",     "Lily",     "Hilda"};
constexpr const char* men_old[] = {"John",   "William", "James",  "Thomas", "George",
                                   "Joseph", "Robert",  "Albert", "Harry",  "Richard",
                                   "Fred",   "Arthur",  "Walter", "Ernest", "Frank"};
constexpr const char* women_new[] = {"Joan",  "Dorothy", "Betty",    "Patricia", "Barbara",
                                     "Jean",  "Irene",   "Marjorie", "Susan",    "Christine",
                                     "Linda", "Maureen", "Sheila",   "Pauline",  "Kathleen"};
constexpr const char* men_new[] = {"Kenneth", "Ronald",  "Peter",   "Brian",    "Derek",
                                   "Alan",    "Dennis",  "Raymond", "Keith",    "Michael",
                                   "David",   "Stanley", "Colin",   "Geoffrey", "Trevor"};
constexpr const char* muslim_names[] = {"Mohammed", "Abdul",   "Yusuf",  "Ibrahim", "Amina",
                                        "Fatima",   "Khadija", "Bashir", "Rashid",  "Zainab"};
constexpr const char* baby_names[] = {"Oliver", "Amelia", "Jack", "Isla", "Harry",
                                      "Ava",    "George", "Mia",  "Noah", "Evie"};
constexpr const char* initials = "ABCDEFGHJKLMNPRSTW";
constexpr const char* ministers[] = {
    "Revd. A. Penketh (St Laurence)",  "Revd. M. Gregson (St George's)",
    "Fr. P. Dobson (St Mary's RC)",    "Fr. J. Culshaw (Sacred Heart RC)",
    "Revd. S. Heyes (Methodist)",      "Pastor D. Lowe (Baptist)",
    "Revd. C. Tattersall (St Paul's)", "Civil celebrant"};
constexpr const char* imams[] = {"Imam Y. Patel", "Imam S. Ali"};
constexpr const char* directors[] = {
    "Southport Road Funeral Directors", "Astley Funeral Care",     "Yarrow Valley Funerals",
    "Rivington Funeral Home",           "Hollinshead & Daughters", "Pennine Way Funeral Service"};

std::string iso(long days) {
    return core::date_from_days(days).iso();
}
long day_of(int year, int month = 1, int day = 1) {
    return core::days_since_epoch(core::Date{year, month, day});
}

struct Builder {
    Rng& rng;
    const Cemeteries& cemeteries;
    const std::vector<const Property*>& homes;
    long last_day; // the day before the reference date
    BurialRecords out;

    /// One or (a quarter of the time) two forenames of the era, of one sex.
    std::string deceased_forenames(const std::string& kind, long day) {
        if (kind == "muslim") {
            return rng.pick(muslim_names);
        }
        const bool old = day < day_of(1975);
        const bool woman = rng.chance(0.5);
        const auto one = [&] {
            return std::string(old ? (woman ? rng.pick(women_old) : rng.pick(men_old))
                                   : (woman ? rng.pick(women_new) : rng.pick(men_new)));
        };
        std::string names = one();
        if (rng.chance(0.25)) {
            const std::string second = woman ? rng.pick(women_old) : rng.pick(men_old);
            if (second != names) {
                names += " " + second;
            }
        }
        return names;
    }

    std::string holder_name(const std::string& surname) {
        const bool woman = rng.chance(0.55);
        std::string first = woman ? rng.pick(women_new) : rng.pick(men_new);
        const char initial = initials[rng.index(std::char_traits<char>::length(initials))];
        return first + " " + initial + ". " + surname;
    }

    const Property& home() { return *homes[rng.index(homes.size())]; }

    std::size_t add_holder(std::size_t grant, const std::string& surname, long from) {
        out.holders.push_back({grant, holder_name(surname), home().single_line, iso(from), {}});
        return out.holders.size() - 1;
    }

    /// A grant bought on `day`: its purchase event and one or two holders; the first holder.
    std::size_t add_grant(std::size_t grave, long day, const std::string& surname) {
        const std::size_t g = out.grants.size();
        const auto& c =
            cemeteries.cemeteries[cemeteries.sections[cemeteries.graves[grave].section].cemetery];
        char deed[40];
        std::snprintf(deed, sizeof deed, "%s/%d/%05zu", c.name.substr(0, 2).c_str(),
                      core::date_from_days(day).year, g + 1);
        out.grants.push_back({grave, deed, iso(day), 100});
        out.events.push_back({g, "purchase", iso(day), std::nullopt, "deed issued"});
        const std::size_t first = add_holder(g, surname, day);
        if (rng.chance(0.2)) {
            add_holder(g, surname, day);
        }
        return first;
    }

    /// Passes the grant to new holders on `day` (the current ones end); the first new holder.
    std::size_t pass_on(std::size_t g, long day, const std::string& surname) {
        static constexpr double w[] = {70, 15, 15};
        static constexpr const char* kinds[] = {"transfer_on_death", "statutory_declaration",
                                                "assignment"};
        static constexpr const char* evidence[] = {
            "grant of probate", "statutory declaration (deed lost)", "form of assignment"};
        const std::size_t k = rng.weighted(w);
        out.events.push_back({g, kinds[k], iso(day), std::nullopt, evidence[k]});
        for (auto& h : out.holders) {
            if (h.grant == g && !h.held_to) {
                h.held_to = iso(day);
            }
        }
        return add_holder(g, surname, day);
    }

    std::size_t current_holder(std::size_t g) const {
        for (std::size_t i = out.holders.size(); i-- > 0;) {
            if (out.holders[i].grant == g && !out.holders[i].held_to) {
                return i;
            }
        }
        throw std::logic_error("demo burials: a grant with no holder");
    }

    void bury(std::size_t grave,
              long day,
              const std::string& kind,
              const std::string& surname,
              std::optional<std::size_t> grant,
              int position,
              bool baby) {
        const auto& section = cemeteries.sections[cemeteries.graves[grave].section];
        if (core::weekday(core::date_from_days(day)) == 6) {
            --day; // no Sunday funerals
        }
        DemoInterment i;
        i.grave = grave;
        i.buried_on = iso(day);
        char time[32];
        std::snprintf(time, sizeof time, "%02d:%02d", rng.range(9, 14), rng.chance(0.5) ? 0 : 30);
        i.burial_time = time;
        i.surname = surname;
        i.kind = kind;
        if (baby) {
            i.stillborn = rng.chance(0.3);
            if (i.stillborn) {
                i.forenames = "";
                i.parents_names = holder_name(surname) + " and " + holder_name(surname);
            } else {
                i.forenames = rng.pick(baby_names);
                const int unit = rng.range(0, 2);
                (unit == 0   ? i.age_days
                 : unit == 1 ? i.age_weeks
                             : i.age_months) = rng.range(1, unit == 0   ? 6
                                                            : unit == 1 ? 3
                                                                        : 11);
            }
        } else {
            i.forenames = deceased_forenames(section.kind, day);
            i.age_years = rng.chance(0.9) ? rng.range(58, 99) : rng.range(18, 57);
        }
        if (!i.stillborn) {
            i.died_on = iso(day - rng.range(3, 16));
        } else {
            i.died_on = iso(day - rng.range(2, 8));
        }
        const Property& p = home();
        i.last_address = p.single_line;
        if (day >= day_of(1990)) {
            i.last_address_uprn = p.uprn; // the register was computerised with UPRNs in 1990
        }
        i.position = kind == "coffin" ? std::to_string(position)
                                      : "cremated remains " + std::to_string(position);
        i.minister = section.kind == "muslim" ? rng.pick(imams) : rng.pick(ministers);
        i.funeral_director = rng.pick(directors);
        if (grant) {
            i.grant = grant;
            i.consent_holder = current_holder(*grant);
        }
        out.interments.push_back(std::move(i));
    }
};

} // namespace

BurialRecords make_burials(Rng rng,
                           const Cemeteries& cemeteries,
                           const Gazetteer& gazetteer,
                           const std::string& reference_date) {
    const auto ref = core::parse_iso_date(reference_date.substr(0, 10));
    if (!ref) {
        throw std::invalid_argument("demo burials: reference date " + reference_date);
    }
    std::vector<const Property*> homes;
    for (const auto& p : gazetteer.properties) {
        if (!p.single_line.empty() && !p.classification.empty() && p.classification[0] == 'R') {
            homes.push_back(&p);
        }
    }
    if (homes.empty()) {
        for (const auto& p : gazetteer.properties) {
            homes.push_back(&p);
        }
    }
    Builder b{rng, cemeteries, homes, core::days_since_epoch(*ref) - 1, {}};
    const long last = b.last_day;
    // How far each newer section has filled, and how many graves it has.
    std::map<std::size_t, std::pair<double, int>> fill;
    for (std::size_t s = 0; s < cemeteries.sections.size(); ++s) {
        fill[s] = {rng.uniform(0.45, 0.75), 0};
    }
    for (const auto& g : cemeteries.graves) {
        ++fill[g.section].second;
    }
    const auto between = [&](long lo, long hi) {
        return lo + static_cast<long>(rng.uniform() * static_cast<double>(std::max(1L, hi - lo)));
    };

    for (std::size_t gi = 0; gi < cemeteries.graves.size(); ++gi) {
        const GraveSpace& g = cemeteries.graves[gi];
        if (g.unavailable_reason) {
            continue;
        }
        const auto& section = cemeteries.sections[g.section];
        const std::string surname = rng.pick(surnames);
        const bool needs_grant = g.type == "private" || g.type == "cremated_remains";
        long first = 0; // first burial, 0: none
        bool reserved = false;
        if (section.old) {
            if (g.type == "public") {
                first = between(day_of(1926), day_of(1975));
            } else if (rng.chance(0.03)) {
                continue; // never used: available
            } else if (rng.chance(0.03)) {
                reserved = true;
                first = between(day_of(1926), last - 30);
            } else {
                first = between(day_of(1926), day_of(1992));
            }
        } else {
            const auto [fraction, count] = fill[g.section];
            const double used = fraction * count;
            if (g.fill_order < used) {
                const double p = std::min((g.fill_order + rng.uniform()) / used, 1.0);
                first = day_of(1990) +
                        static_cast<long>(p * static_cast<double>(last - 30 - day_of(1990)));
            } else if (needs_grant && rng.chance(0.05)) {
                reserved = true;
                first = between(day_of(2000), last - 30);
            } else {
                continue; // available
            }
        }
        std::optional<std::size_t> grant;
        if (needs_grant) {
            grant = b.out.grants.size();
            b.add_grant(gi, first - (reserved ? 0 : rng.range(1, 6)), surname);
        }
        if (reserved) {
            if (rng.chance(0.05)) {
                const long day = between(first + 200, last);
                if (day <= last) {
                    b.out.events.push_back(
                        {*grant, "surrender", iso(day), std::nullopt, "surrender form"});
                    for (auto& h : b.out.holders) {
                        if (h.grant == *grant && !h.held_to) {
                            h.held_to = iso(day);
                        }
                    }
                }
            }
            continue;
        }
        // How many coffins and cremated remains the grave takes, in time.
        int coffins = 0, ashes = 0;
        if (g.max_coffins > 0) {
            static constexpr double w3[] = {22, 43, 35};
            static constexpr double w2[] = {60, 40};
            coffins = g.max_coffins == 1   ? 1
                      : g.max_coffins == 2 ? 1 + static_cast<int>(rng.weighted(w2))
                                           : 1 + static_cast<int>(rng.weighted(w3));
            if (coffins == g.max_coffins && g.max_cremated_remains > 0 && rng.chance(0.45)) {
                ashes = g.max_cremated_remains;
            } else if (g.max_cremated_remains > 0 && rng.chance(0.1)) {
                ashes = 1;
            }
        } else {
            static constexpr double w4[] = {50, 30, 15, 5};
            ashes = 1 + static_cast<int>(rng.weighted(w4));
            ashes = std::min(ashes, g.max_cremated_remains);
        }
        long day = first;
        const bool is_public = g.type == "public";
        const bool baby = section.kind == "baby";
        int placed_c = 0, placed_a = 0;
        for (int k = 0; k < coffins + ashes; ++k) {
            if (k > 0) {
                day += is_public ? rng.range(30, 900) : rng.range(700, 12000);
                if (day > last) {
                    break;
                }
                // The right often passes on before the next burial (the holder has died).
                if (grant && rng.chance(0.45)) {
                    b.pass_on(*grant, day - rng.range(10, 120), surname);
                }
            }
            const bool coffin = k < coffins;
            const std::string who = is_public ? rng.pick(surnames) : surname;
            b.bury(gi, day, coffin ? "coffin" : "cremated_remains", who, grant,
                   coffin ? ++placed_c : ++placed_a, baby);
        }
        // An extension on a few old grants, before the century runs out.
        if (grant && section.old && rng.chance(0.03)) {
            const long granted =
                core::days_since_epoch(*core::parse_iso_date(b.out.grants[*grant].granted_on));
            const long on = std::max(granted + 365 * 80, day + 30);
            if (on <= last) {
                b.out.events.push_back({*grant, "extension", iso(on), 25, "extension fee paid"});
            }
        }
    }
    // Register order: each cemetery's entries by date and time of burial.
    auto& list = b.out.interments;
    const auto cemetery_of = [&](const DemoInterment& i) {
        return cemeteries.sections[cemeteries.graves[i.grave].section].cemetery;
    };
    std::stable_sort(list.begin(), list.end(), [&](const auto& x, const auto& y) {
        const auto cx = cemetery_of(x), cy = cemetery_of(y);
        if (cx != cy) {
            return cx < cy;
        }
        if (x.buried_on != y.buried_on) {
            return x.buried_on < y.buried_on;
        }
        return x.burial_time < y.burial_time;
    });
    return std::move(b.out);
}

} // namespace wardmap::importers::demo
