#include "server/services/streetscene/job_service.hpp"

#include "core/working_days.hpp"

#include "server/services/requests/photo_store.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/recurrence.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace wardmap::services {

namespace {

core::Date stored_date(std::string_view text) {
    const auto d = core::parse_iso_date(text.substr(0, 10));
    if (!d) {
        throw std::runtime_error("stored date is not YYYY-MM-DD: " + std::string(text));
    }
    return *d;
}

/// "Tuesday 8 December 2026", for residents' messages.
std::string long_date(const core::Date& d) {
    static constexpr const char* days[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                           "Friday", "Saturday", "Sunday"};
    static constexpr const char* months[] = {"January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December"};
    return std::string(days[core::weekday(d)]) + " " + std::to_string(d.day) + " " +
           months[d.month - 1] + " " + std::to_string(d.year);
}

std::string reason_words(const std::optional<std::string>& reason) {
    if (!reason) {
        return "no reason given";
    }
    if (*reason == "blocked_access") {
        return "access was blocked";
    }
    if (*reason == "parked_car") {
        return "a parked car was in the way";
    }
    if (*reason == "unsafe") {
        return "it was not safe to work";
    }
    if (*reason == "not_needed") {
        return "there was nothing that needed doing";
    }
    if (*reason == "weather") {
        return "the weather stopped the work";
    }
    return *reason;
}

std::string upper(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return s;
}

std::string actor_of(const Principal& by) {
    return (by.kind == Principal::Kind::api_key ? "staff:" : "person:") + by.name;
}

bool contains(const std::vector<std::string>& items, const std::string& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

/// "'a', 'b'" for an IN list of fixed, checked codes (catalogue and asset type codes are
/// letters, digits, '_' and '-').
std::string in_list(const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& c : codes) {
        std::string quoted;
        for (const char ch : c) {
            if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-') {
                quoted += ch;
            }
        }
        out += (out.empty() ? "'" : ", '") + quoted + "'";
    }
    return out.empty() ? "''" : out;
}

std::string activity_name(store::Database& db, const std::string& code) {
    auto q = db.prepare_cached("SELECT name FROM schedule_activities WHERE code = ?");
    q.bind(1, code);
    return q.step() ? std::string(q.text(0)) : code;
}

} // namespace

// ---------------------------------------------------------------------------------------
// Categories

JobCategories JobCategories::defaults() {
    JobCategories c;
    c.activities = {{"fly_tipping", "clear_fly_tip"},
                    {"litter", "sweep"},
                    {"overflowing_bin", "empty_litter_bins"},
                    {"dog_fouling", "sweep"},
                    {"street_cleansing", "sweep"}};
    c.bin_services = {"overflowing_bin"};
    c.bin_asset_types = {"litter_bin", "dog_bin"};
    c.container_activities = {{"grey", "household_waste"},
                              {"blue", "recycling"},
                              {"green", "recycling"},
                              {"brown", "garden_waste"}};
    return c;
}

JobCategories JobCategories::parse(const std::string& json_text, const std::string& source) {
    const auto fail = [&source](const std::string& member, const std::string& what) {
        throw std::runtime_error(source + ": '" + member + "' " + what);
    };
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error(source + ": not JSON (" + std::string(e.what()) + ")");
    }
    if (!doc.is_object()) {
        fail("(file)", "must be a JSON object");
    }
    JobCategories c = defaults();
    const auto string_map = [&](const char* name, std::map<std::string, std::string>& out) {
        if (!doc.contains(name)) {
            return;
        }
        const auto& v = doc[name];
        if (!v.is_object() || v.empty()) {
            fail(name, "must be a non-empty object of strings");
        }
        out.clear();
        for (const auto& [k, value] : v.items()) {
            if (!value.is_string() || value.get<std::string>().empty()) {
                fail(std::string(name) + "." + k, "must be a non-empty string");
            }
            out[k] = value.get<std::string>();
        }
    };
    const auto string_list = [&](const char* name, std::vector<std::string>& out) {
        if (!doc.contains(name)) {
            return;
        }
        const auto& v = doc[name];
        if (!v.is_array()) {
            fail(name, "must be an array of strings");
        }
        out.clear();
        for (const auto& value : v) {
            if (!value.is_string() || value.get<std::string>().empty()) {
                fail(name, "must be an array of non-empty strings");
            }
            out.push_back(value.get<std::string>());
        }
    };
    const auto string_value = [&](const char* name, std::string& out) {
        if (!doc.contains(name)) {
            return;
        }
        if (!doc[name].is_string() || doc[name].get<std::string>().empty()) {
            fail(name, "must be a non-empty string");
        }
        out = doc[name].get<std::string>();
    };
    for (const auto& [k, v] : doc.items()) {
        static const std::set<std::string> known = {"activities",
                                                    "bin_services",
                                                    "bin_reference_attribute",
                                                    "bin_asset_types",
                                                    "missed_collection_service",
                                                    "container_attribute",
                                                    "container_activities",
                                                    "description"};
        if (!known.contains(k)) {
            fail(k, "is not a member of the jobs file");
        }
    }
    string_map("activities", c.activities);
    string_list("bin_services", c.bin_services);
    string_value("bin_reference_attribute", c.bin_reference_attribute);
    string_list("bin_asset_types", c.bin_asset_types);
    string_value("missed_collection_service", c.missed_collection_service);
    string_value("container_attribute", c.container_attribute);
    string_map("container_activities", c.container_activities);
    return c;
}

JobCategories JobCategories::load(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error(path.string() + ": cannot be read");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path.string());
}

// ---------------------------------------------------------------------------------------
// Jobs

JobService::JobService(store::ConnectionPool& pool,
                       const RequestService& requests,
                       std::shared_ptr<const geo::BngTransform> transform,
                       JobCategories categories,
                       RequestService::Clock clock)
    : m_pool(pool), m_requests(requests), m_transform(std::move(transform)),
      m_categories(std::move(categories)), m_clock(std::move(clock)) {}

core::UnixSeconds JobService::now() const {
    return m_clock ? m_clock() : core::now_seconds();
}

namespace {

constexpr const char* job_columns =
    "SELECT j.id, j.request_id, j.category, j.activity, j.crew_code, j.due_date, j.planned_date, "
    "j.chosen, j.distance_m, j.visit_id, j.lon, j.lat, r.status, r.is_open, "
    "EXISTS (SELECT 1 FROM schedule_visits v JOIN schedule_visit_completions c ON c.visit_id = "
    "v.id WHERE v.stop_id = j.stop_id AND c.outcome = 'done') "
    "FROM streetscene_jobs j JOIN service_requests r ON r.id = j.request_id ";

} // namespace

Job JobService::read(store::Database& db, std::int64_t id) const {
    auto q = db.prepare_cached(std::string(job_columns) + "WHERE j.id = ?");
    q.bind(1, id);
    if (!q.step()) {
        throw DomainError(ErrorCode::not_found, "job " + std::to_string(id) + " not found");
    }
    Job j;
    j.id = q.int64(0);
    j.request_id = q.int64(1);
    j.category = std::string(q.text(2));
    j.activity = std::string(q.text(3));
    j.crew = std::string(q.text(4));
    j.due_date = stored_date(q.text(5));
    j.planned_date = stored_date(q.text(6));
    j.chosen = std::string(q.text(7));
    if (!q.is_null(8)) {
        j.distance_m = q.real(8);
    }
    j.visit_id = q.int64(9);
    j.lon = q.real(10);
    j.lat = q.real(11);
    j.request_status = std::string(q.text(12));
    const bool open = q.int64(13) != 0;
    const bool done = q.int64(14) != 0;
    j.state = done ? "done" : (open ? "open" : "closed");
    return j;
}

Job JobService::get(std::int64_t id) const {
    auto db = m_pool.acquire();
    return read(*db, id);
}

Job JobService::create(const JobOrder& order, const Principal& by) const {
    const core::UnixSeconds now = this->now();
    const core::Date today = core::uk_date(now);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);

    // The request: its category, place and target.
    std::string category;
    bool open = false;
    double e = 0;
    double n = 0;
    double lon = 0;
    double lat = 0;
    std::optional<std::string> expected;
    std::optional<std::int64_t> usrn;
    std::optional<std::int64_t> uprn;
    {
        auto q = db->prepare_cached(
            "SELECT category_code, is_open, X(geom), Y(geom), X(geom_wgs84), Y(geom_wgs84), "
            "expected_at, usrn, uprn FROM service_requests WHERE id = ?");
        q.bind(1, order.request_id);
        if (!q.step()) {
            throw DomainError(ErrorCode::not_found,
                              "service request " + std::to_string(order.request_id) + " not found");
        }
        category = std::string(q.text(0));
        open = q.int64(1) != 0;
        e = q.real(2);
        n = q.real(3);
        lon = q.real(4);
        lat = q.real(5);
        expected = q.optional_text(6);
        usrn = q.is_null(7) ? std::nullopt : std::optional<std::int64_t>(q.int64(7));
        uprn = q.is_null(8) ? std::nullopt : std::optional<std::int64_t>(q.int64(8));
    }
    const auto activity_it = m_categories.activities.find(category);
    if (activity_it == m_categories.activities.end()) {
        invalid_parameter(
            "id", "request " + std::to_string(order.request_id) + " is a '" + category +
                      "' report, which is not streetscene work (jobs are made "
                      "from: " +
                      [this] {
                          std::string list;
                          for (const auto& [code, _] : m_categories.activities) {
                              list += (list.empty() ? "" : ", ") + code;
                          }
                          return list;
                      }() +
                      ")");
    }
    const std::string& activity = activity_it->second;
    if (!open) {
        invalid_parameter("id", "request " + std::to_string(order.request_id) +
                                    " is closed; reopen it before making a job of it");
    }
    {
        auto q = db->prepare_cached("SELECT id FROM streetscene_jobs WHERE request_id = ?");
        q.bind(1, order.request_id);
        if (q.step()) {
            throw DomainError(ErrorCode::conflict,
                              "request " + std::to_string(order.request_id) + " is already job " +
                                  std::to_string(q.int64(0)),
                              {{"id", "already has a job"}});
        }
    }

    // The day: the one asked (not in the past), else today when it is a working day.
    core::Date day = today;
    if (order.date) {
        if (core::days_since_epoch(*order.date) < core::days_since_epoch(today)) {
            invalid_parameter("date", "is in the past (" + order.date->iso() + "; today is " +
                                          today.iso() + ")");
        }
        if (core::days_since_epoch(*order.date) > core::days_since_epoch(today) + 366) {
            invalid_parameter("date", "is more than a year ahead");
        }
        day = *order.date;
    } else if (!core::is_working_day(today)) {
        day = core::add_working_days(today, 1);
    }
    const std::string day_text = day.iso();

    // The crew: the one named, else the one whose round that day passes nearest.
    std::string crew;
    std::string chosen;
    std::optional<double> distance;
    if (order.crew) {
        auto q = db->prepare_cached("SELECT code FROM crews WHERE code = ?");
        q.bind(1, *order.crew);
        if (!q.step()) {
            invalid_parameter("crew", "'" + order.crew->substr(0, 40) + "' is not a crew");
        }
        crew = *order.crew;
        chosen = "supervisor";
    } else {
        // Every planned visit of that day on a crew's round, measured from its stop (the
        // asset, the property's point, the street's line) to the request.
        // Each visit's crew that day is its assignment's, else the round's crew from that
        // date (0017's schedule_round_crews), else the round's team.
        auto q = db->prepare_cached(
            "SELECT crew, min(d) AS nearest FROM (SELECT coalesce(asg.crew_code, (SELECT "
            "rc.crew_code FROM schedule_round_crews rc WHERE rc.round_id = r.id AND "
            "rc.from_date <= ?3 ORDER BY rc.from_date DESC LIMIT 1), r.team) AS crew, "
            "ST_Distance(MakePoint(?1, ?2, 27700), coalesce(a.geom, p.geom, st.geom)) AS d "
            "FROM schedule_visits v JOIN schedule_rounds r ON r.id = v.round_id AND "
            "r.one_off = 0 LEFT JOIN schedule_visit_assignments asg ON asg.visit_id = v.id "
            "JOIN schedule_round_stops s ON s.id = v.stop_id "
            "LEFT JOIN street_assets a ON a.id = s.asset_id "
            "LEFT JOIN properties p ON p.uprn = s.uprn "
            "LEFT JOIN streets st ON st.usrn = s.usrn WHERE v.planned_date = ?3) "
            "WHERE crew IN (SELECT code FROM crews) AND d IS NOT NULL GROUP BY crew "
            "ORDER BY nearest, crew LIMIT 1");
        q.bind(1, e).bind(2, n).bind(3, day_text);
        if (!q.step()) {
            throw DomainError(ErrorCode::conflict,
                              "no crew has a round on " + day_text +
                                  ": name a crew, or another day",
                              {{"crew", "is required: no crew works on " + day_text}});
        }
        crew = std::string(q.text(0));
        distance = std::round(q.real(1) * 10) / 10;
        chosen = "nearest";
    }

    // Due on the request's target (its category's SLA from the day it was made).
    core::Date due = core::add_working_days(today, 1);
    if (expected) {
        if (const auto at = core::parse_w3c_datetime(*expected)) {
            due = core::uk_date(*at);
        }
    }

    // The crew's one-off round for this activity, then the job's stop and its visit.
    const std::string round_code = "JOB-" + crew + "-" + activity;
    const std::string now_text = core::format_utc(now);
    {
        auto q = db->prepare_cached(
            "INSERT INTO schedule_rounds (code, name, activity, team, rule_kind, rrule, "
            "first_date, one_off, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 'rrule', "
            "'FREQ=DAILY;COUNT=1', ?5, 1, ?6, ?6) ON CONFLICT (code) DO NOTHING");
        q.bind(1, round_code)
            .bind(2, "Jobs: " + activity_name(*db, activity))
            .bind(3, activity)
            .bind(4, crew)
            .bind(5, day_text)
            .bind(6, now_text);
        q.run();
    }
    std::int64_t round_id = 0;
    {
        auto q = db->prepare_cached("SELECT id, one_off FROM schedule_rounds WHERE code = ?");
        q.bind(1, round_code);
        q.step();
        round_id = q.int64(0);
        if (q.int64(1) == 0) {
            throw DomainError(ErrorCode::conflict,
                              "round " + round_code + " exists and is not a round of jobs");
        }
    }
    std::optional<std::int64_t> asset_id;
    {
        auto q =
            db->prepare_cached("SELECT asset_id FROM request_asset_links WHERE request_id = ?");
        q.bind(1, order.request_id);
        if (q.step()) {
            asset_id = q.int64(0);
        }
    }
    if (!asset_id && !usrn && !uprn) {
        throw DomainError(ErrorCode::conflict, "request " + std::to_string(order.request_id) +
                                                   " is on no street and at no property: a "
                                                   "crew's stop needs one");
    }
    std::int64_t stop_id = 0;
    {
        auto q = db->prepare_cached(
            "INSERT INTO schedule_round_stops (round_id, seq, usrn, uprn, asset_id) VALUES (?1, "
            "(SELECT coalesce(max(seq), 0) + 1 FROM schedule_round_stops WHERE round_id = ?1), "
            "?2, ?3, ?4)");
        q.bind(1, round_id);
        q.bind(2, asset_id ? std::nullopt : usrn);
        q.bind(3, asset_id || usrn ? std::nullopt : uprn);
        q.bind(4, asset_id);
        q.run();
        stop_id = db->last_insert_rowid();
    }
    std::int64_t visit_id = 0;
    {
        auto q = db->prepare_cached(
            "INSERT INTO schedule_visits (round_id, stop_id, rule_date, planned_date, generation) "
            "VALUES (?1, ?2, ?3, ?3, 1)");
        q.bind(1, round_id).bind(2, stop_id).bind(3, day_text);
        q.run();
        visit_id = db->last_insert_rowid();
    }
    std::int64_t job_id = 0;
    {
        auto q = db->prepare_cached(
            "INSERT INTO streetscene_jobs (request_id, stop_id, visit_id, crew_code, category, "
            "activity, due_date, planned_date, chosen, distance_m, easting, northing, lon, lat, "
            "created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
            "?13, ?14, ?15, ?16)");
        q.bind(1, order.request_id).bind(2, stop_id).bind(3, visit_id).bind(4, crew);
        q.bind(5, category).bind(6, activity).bind(7, due.iso()).bind(8, day_text);
        q.bind(9, chosen);
        if (distance) {
            q.bind(10, *distance);
        } else {
            q.bind_null(10);
        }
        q.bind(11, e).bind(12, n).bind(13, lon).bind(14, lat).bind(15, now_text);
        q.bind(16, actor_of(by));
        q.run();
        job_id = db->last_insert_rowid();
    }

    // The request's lifecycle says so: residents and Open311 pollers see it scheduled.
    StatusUpdate update;
    update.service_request_id = std::to_string(order.request_id);
    update.update_id = "job-" + std::to_string(job_id);
    update.status = "ACTION_SCHEDULED";
    update.updated_datetime = now_text;
    update.description = "A streetscene crew is booked to deal with this on " + long_date(day) +
                         " (due by " + long_date(due) + ").";
    update.by_person = by;
    (void)m_requests.post_update_in(*db, update);
    Job job = read(*db, job_id);
    tx.commit();
    return job;
}

Job JobService::close(std::int64_t id,
                      const std::string& status,
                      const std::string& note,
                      const Principal& by) const {
    const auto* info = status_info(status);
    if (info == nullptr || info->open) {
        invalid_parameter("status", "'" + status.substr(0, 40) +
                                        "' is not a closed status (fixed, no_further_action, "
                                        "duplicate, not_councils_responsibility, "
                                        "internal_referral, cancelled, closed)");
    }
    if (status == "duplicate") {
        invalid_parameter("status", "a duplicate is marked through servicerequestupdates, "
                                    "which names the original");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const Job before = read(*db, id);
    if (before.state != "open") {
        invalid_parameter("id", "job " + std::to_string(id) + " is " + before.state +
                                    " already (request " + std::to_string(before.request_id) +
                                    " is " + before.request_status + ")");
    }
    StatusUpdate update;
    update.service_request_id = std::to_string(before.request_id);
    const core::UnixSeconds at = now();
    // Unique per close (a reopened request's job may be closed again).
    update.update_id = "job-" + std::to_string(id) + "-close-" + std::to_string(at);
    update.status = upper(status);
    update.updated_datetime = core::format_utc(at);
    update.description = note.empty() ? "Closed by the council." : note;
    update.by_person = by;
    (void)m_requests.post_update_in(*db, update);
    Job job = read(*db, id);
    tx.commit();
    return job;
}

void JobService::on_crew_completion(store::Database& db,
                                    const Principal& by,
                                    const Completion& c) const {
    VisitCompletionFacts facts;
    facts.completion_id = c.id;
    facts.visit_id = c.visit_id;
    facts.outcome = c.outcome;
    facts.reason = c.reason;
    facts.recorded_at = core::parse_w3c_datetime(c.recorded_at).value_or(now());
    for (const auto& [photo, role] : c.photos) {
        if (role == "after") {
            facts.after_photo_ids.push_back(photo);
        }
    }
    facts.notes = c.notes;
    if (c.rolled_to) {
        auto q = db.prepare_cached("SELECT planned_date FROM schedule_visits WHERE id = ?");
        q.bind(1, *c.rolled_to);
        if (q.step()) {
            facts.rolled_to = stored_date(q.text(0));
        }
    }
    facts.by = by;
    on_completion(db, facts);
}

void JobService::on_completion(store::Database& db, const VisitCompletionFacts& c) const {
    std::int64_t request_id = 0;
    bool open = false;
    {
        auto q = db.prepare_cached(
            "SELECT j.request_id, r.is_open FROM schedule_visits v JOIN streetscene_jobs j ON "
            "j.stop_id = v.stop_id JOIN service_requests r ON r.id = j.request_id WHERE v.id = ?");
        q.bind(1, c.visit_id);
        if (!q.step()) {
            return; // a round's visit, not a job's
        }
        request_id = q.int64(0);
        open = q.int64(1) != 0;
    }
    const core::Date day = core::uk_date(c.recorded_at);
    StatusUpdate update;
    update.service_request_id = std::to_string(request_id);
    update.update_id = "completion-" + std::to_string(c.completion_id);
    update.updated_datetime = core::format_utc(c.recorded_at);
    update.by_person = c.by;
    if (c.outcome == "done") {
        update.status = open ? "FIXED" : "UNCHANGED";
        update.description = "Cleared by the streetscene crew on " + long_date(day) + ".";
        // The crew's after photos (at most 3, as any update) go on this update below.
    } else {
        update.status = "UNCHANGED";
        std::string text = "The streetscene crew could not finish this on " + long_date(day) +
                           ": " + reason_words(c.reason) + ".";
        if (c.rolled_to) {
            text += " It is planned again for " + long_date(*c.rolled_to) + ".";
        } else {
            text += " The council will review it.";
        }
        update.description = text;
    }
    const std::int64_t history_id = m_requests.post_update_in(db, update);
    if (c.outcome == "done") {
        std::vector<std::string> photos(c.after_photo_ids.begin(),
                                        c.after_photo_ids.begin() +
                                            static_cast<std::ptrdiff_t>(std::min(
                                                c.after_photo_ids.size(), max_photos_per_item)));
        attach_completion_photos(db, photos, request_id, history_id, "photo_ids");
    }
}

// ---------------------------------------------------------------------------------------
// Intake: the missed-collection rule and bin links

IntakeHooks JobService::intake_hooks() const {
    return IntakeHooks{
        .check = [this](const IntakeFacts& facts) { check_missed_collection(facts); },
        .stored = [this](store::Database& db, std::int64_t id,
                         const IntakeFacts& facts) { link_bin(db, id, facts); }};
}

void JobService::check_missed_collection(const IntakeFacts& facts) const {
    if (facts.service == nullptr || facts.service->code != m_categories.missed_collection_service) {
        return;
    }
    // The collections the report is about: its containers' activities, else all of them.
    std::vector<std::string> activities;
    const auto add = [&activities](const std::string& a) {
        if (!contains(activities, a)) {
            activities.push_back(a);
        }
    };
    if (facts.attributes != nullptr) {
        const auto given = facts.attributes->find(m_categories.container_attribute);
        if (given != facts.attributes->end()) {
            for (const auto& v : given->second) {
                const auto a = m_categories.container_activities.find(v);
                if (a != m_categories.container_activities.end()) {
                    add(a->second);
                }
            }
        }
    }
    if (activities.empty()) {
        for (const auto& [_, a] : m_categories.container_activities) {
            add(a);
        }
    }
    const core::Date today = core::uk_date(facts.now);
    const std::string today_text = today.iso();
    const std::string field = "attribute[" + m_categories.container_attribute + "]";
    auto db = m_pool.acquire();
    // The stops of this place's collections: the property's own, its street's (or, without a
    // property, the street's).
    constexpr const char* place =
        "JOIN schedule_round_stops s ON s.id = v.stop_id JOIN schedule_rounds r ON r.id = "
        "v.round_id AND r.one_off = 0 AND r.activity = ?1 WHERE (s.uprn = ?2 OR s.usrn = ?3 OR "
        "s.usrn IN (SELECT usrn FROM addresses WHERE uprn = ?2 AND usrn IS NOT NULL)) ";
    for (const auto& activity : activities) {
        const auto bind_place = [&](store::Statement& q) {
            q.bind(1, activity).bind(2, facts.uprn).bind(3, facts.usrn).bind(4, today_text);
        };
        std::optional<core::Date> next;
        {
            auto q = db->prepare_cached(std::string("SELECT min(v.planned_date) FROM "
                                                    "schedule_visits v ") +
                                        place + "AND v.planned_date > ?4");
            bind_place(q);
            if (q.step() && !q.is_null(0)) {
                next = stored_date(q.text(0));
            }
        }
        const std::string next_words = next ? " The next collection is on " + long_date(*next) + "."
                                            : " No further collection is planned yet.";
        // The last collection day up to today, and its visits' completions.
        std::optional<core::Date> last;
        {
            auto q = db->prepare_cached(std::string("SELECT max(v.planned_date) FROM "
                                                    "schedule_visits v ") +
                                        place + "AND v.planned_date <= ?4");
            bind_place(q);
            if (q.step() && !q.is_null(0)) {
                last = stored_date(q.text(0));
            }
        }
        if (!last) {
            if (!next) {
                continue; // no round collects here: the rule cannot apply
            }
            invalid_parameter(field, "no " + activity_name(*db, activity) +
                                         " has been due at this address yet, so none can have "
                                         "been missed." +
                                         next_words);
        }
        std::int64_t visits = 0;
        std::int64_t done = 0;
        std::optional<std::string> exception;
        {
            auto q = db->prepare_cached(
                std::string("SELECT v.id, (SELECT c.outcome FROM schedule_visit_completions c "
                            "WHERE c.visit_id = v.id ORDER BY c.at DESC, c.id DESC LIMIT 1), "
                            "(SELECT c.reason FROM schedule_visit_completions c WHERE "
                            "c.visit_id = v.id AND c.outcome = 'not_done' ORDER BY c.id DESC "
                            "LIMIT 1) FROM schedule_visits v ") +
                place + "AND v.planned_date = ?4");
            q.bind(1, activity).bind(2, facts.uprn).bind(3, facts.usrn).bind(4, last->iso());
            while (q.step()) {
                ++visits;
                if (!q.is_null(2) && !exception) {
                    exception = std::string(q.text(2));
                }
                if (!q.is_null(1) && q.text(1) == "done") {
                    ++done;
                }
            }
        }
        const std::string what = activity_name(*db, activity);
        if (exception) {
            invalid_parameter(field, "the crew recorded on " + long_date(*last) + " that the " +
                                         what + " could not be made: " + reason_words(exception) +
                                         ". It was not missed, so it cannot be reported as "
                                         "missed." +
                                         next_words);
        }
        if (done < visits) {
            invalid_parameter(field, "the " + what + " of " + long_date(*last) +
                                         " has not been marked complete yet: a missed "
                                         "collection can be reported once the crew has "
                                         "finished the street." +
                                         next_words);
        }
        const core::Date deadline = core::add_working_days(*last, missed_collection_working_days);
        if (core::days_since_epoch(today) > core::days_since_epoch(deadline)) {
            invalid_parameter(field, "a missed collection must be reported within " +
                                         std::to_string(missed_collection_working_days) +
                                         " working days of the collection day: the last " + what +
                                         " was on " + long_date(*last) +
                                         ", so the last day to report it was " +
                                         long_date(deadline) + "." + next_words);
        }
    }
}

void JobService::link_bin(store::Database& db,
                          std::int64_t request_id,
                          const IntakeFacts& facts) const {
    if (facts.service == nullptr || !contains(m_categories.bin_services, facts.service->code)) {
        return;
    }
    const std::string types = in_list(m_categories.bin_asset_types);
    std::optional<std::int64_t> asset;
    double distance = 0;
    std::string matched_by;
    if (facts.attributes != nullptr) {
        const auto given = facts.attributes->find(m_categories.bin_reference_attribute);
        if (given != facts.attributes->end() && !given->second.empty()) {
            std::string reference = given->second.front();
            const auto first = reference.find_first_not_of(" \t");
            const auto last = reference.find_last_not_of(" \t");
            reference = first == std::string::npos ? std::string()
                                                   : reference.substr(first, last - first + 1);
            if (!reference.empty()) {
                auto q = db.prepare_cached(
                    "SELECT id, ST_Distance(geom, MakePoint(?2, ?3, 27700)) FROM street_assets "
                    "WHERE reference = ?1 COLLATE NOCASE AND status = 'active' AND asset_type "
                    "IN (" +
                    types + ") ORDER BY 2, id LIMIT 1");
                q.bind(1, reference).bind(2, facts.at.easting).bind(3, facts.at.northing);
                if (q.step()) {
                    asset = q.int64(0);
                    distance = q.real(1);
                    matched_by = "reference";
                }
            }
        }
    }
    if (!asset) {
        auto q = db.prepare_cached(
            "SELECT a.id, ST_Distance(a.geom, MakePoint(?1, ?2, 27700)) AS d FROM street_assets "
            "a WHERE a.id IN (SELECT pkid FROM idx_street_assets_geom WHERE xmin <= ?1 + ?3 AND "
            "xmax >= ?1 - ?3 AND ymin <= ?2 + ?3 AND ymax >= ?2 - ?3) AND a.status = 'active' "
            "AND a.asset_type IN (" +
            types + ") AND d <= ?3 ORDER BY d, a.id LIMIT 1");
        q.bind(1, facts.at.easting).bind(2, facts.at.northing).bind(3, bin_link_radius_m);
        if (q.step()) {
            asset = q.int64(0);
            distance = q.real(1);
            matched_by = "nearest";
        }
    }
    if (!asset) {
        return;
    }
    auto q = db.prepare_cached("INSERT INTO request_asset_links (request_id, asset_id, "
                               "matched_by, distance_m, linked_at) VALUES (?, ?, ?, ?, ?)");
    q.bind(1, request_id).bind(2, *asset).bind(3, matched_by);
    q.bind(4, std::round(distance * 10) / 10).bind(5, core::format_utc(facts.now));
    q.run();
}

// ---------------------------------------------------------------------------------------
// A bin's review

BinReview JobService::review(std::int64_t asset_id) const {
    auto db = m_pool.acquire();
    BinReview r;
    r.asset_id = asset_id;
    {
        auto q = db->prepare_cached("SELECT asset_type, reference FROM street_assets WHERE id = ?");
        q.bind(1, asset_id);
        if (!q.step()) {
            throw DomainError(ErrorCode::not_found,
                              "asset " + std::to_string(asset_id) + " not found");
        }
        r.asset_type = std::string(q.text(0));
        r.reference = std::string(q.text(1));
    }
    if (!contains(m_categories.bin_asset_types, r.asset_type)) {
        invalid_parameter("id", "asset " + std::to_string(asset_id) + " is a " + r.asset_type +
                                    ", not a bin: only bins are reviewed");
    }
    const core::Date today = core::uk_date(now());
    r.to = today;
    r.from = add_days(today, -91);
    const std::string from_text = r.from.iso();
    const std::string to_text = r.to.iso();
    {
        auto q = db->prepare_cached(
            "SELECT r.id, r.created_at, r.status, l.matched_by FROM request_asset_links l JOIN "
            "service_requests r ON r.id = l.request_id WHERE l.asset_id = ? ORDER BY "
            "r.created_at DESC, r.id DESC");
        q.bind(1, asset_id);
        while (q.step()) {
            const auto at = core::parse_w3c_datetime(q.text(1)).value_or(0);
            ++r.reports_total;
            const auto d = core::days_since_epoch(core::uk_date(at));
            if (d >= core::days_since_epoch(r.from) && d <= core::days_since_epoch(r.to)) {
                ++r.reports_window;
            }
            if (r.reports.size() < 50) {
                r.reports.push_back(
                    {q.int64(0), at, std::string(q.text(2)), std::string(q.text(3))});
            }
        }
    }
    double fill_sum = 0;
    {
        auto q = db->prepare_cached(
            "SELECT v.id, v.planned_date, json_extract(c.quantities, '$.fill_percent') FROM "
            "schedule_visit_completions c JOIN schedule_visits v ON v.id = c.visit_id JOIN "
            "schedule_round_stops s ON s.id = v.stop_id WHERE s.asset_id = ? AND c.outcome = "
            "'done' ORDER BY v.planned_date, c.id");
        q.bind(1, asset_id);
        while (q.step()) {
            const core::Date d = stored_date(q.text(1));
            const bool inside = d.iso() >= from_text && d.iso() <= to_text;
            if (inside) {
                ++r.emptyings_window;
            }
            if (q.is_null(2)) {
                continue;
            }
            const int fill = static_cast<int>(q.int64(2));
            r.fills.push_back({d, q.int64(0), fill});
            if (inside) {
                ++r.readings_window;
                fill_sum += fill;
            }
        }
    }
    if (r.readings_window > 0) {
        r.mean_fill = std::round(fill_sum / static_cast<double>(r.readings_window) * 10) / 10;
    }
    {
        // Emptyings planned by the bin's rounds from 13 weeks back to 13 weeks ahead.
        auto q = db->prepare_cached(
            "SELECT count(*) FROM schedule_visits v JOIN schedule_round_stops s ON s.id = "
            "v.stop_id JOIN schedule_rounds r ON r.id = v.round_id AND r.one_off = 0 WHERE "
            "s.asset_id = ?1 AND v.planned_date >= ?2 AND v.planned_date < ?3");
        q.bind(1, asset_id).bind(2, from_text).bind(3, add_days(today, 91).iso());
        q.step();
        r.visits_per_week = std::round(static_cast<double>(q.int64(0)) / 26.0 * 100) / 100;
    }
    // The rule (docs/streetscene.md, "A bin's review").
    const double current = r.visits_per_week;
    if (r.reports_window >= 2 || (r.readings_window >= 3 && r.mean_fill && *r.mean_fill >= 80)) {
        r.suggestion = "increase";
        r.suggested_visits_per_week = current > 0 ? current * 2 : 1;
        r.reason = r.reports_window >= 2
                       ? std::to_string(r.reports_window) +
                             " reports of it overflowing in the last 13 weeks"
                       : "it was at least 80% full on average when emptied in the last 13 weeks";
    } else if (r.readings_window >= 4 && r.mean_fill && *r.mean_fill <= 30 &&
               r.reports_window == 0 && current > 0.5) {
        r.suggestion = "decrease";
        r.suggested_visits_per_week = std::max(0.5, current / 2);
        r.reason = "it was at most 30% full on average when emptied in the last 13 weeks, "
                   "and nobody reported it";
    } else {
        r.suggestion = "keep";
        r.suggested_visits_per_week = current;
        r.reason = r.readings_window < 3 && r.reports_window < 2
                       ? "too few fill readings and reports in the last 13 weeks to change it"
                       : "its fill levels and reports are within the usual range";
    }
    r.suggested_visits_per_week = std::round(r.suggested_visits_per_week * 100) / 100;
    return r;
}

} // namespace wardmap::services
