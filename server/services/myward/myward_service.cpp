#include "server/services/myward/myward_service.hpp"

#include "core/w3c_time.hpp"

#include "geo/store/generations.hpp"
#include "server/services/burials/grave_status.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>

namespace wardmap::services {

using nlohmann::ordered_json;

namespace {

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), and back.
int days_from_civil(const core::Date& d) {
    const int y = d.year - (d.month <= 2 ? 1 : 0);
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int mp = d.month + (d.month > 2 ? -3 : 9);
    const int doy = (153 * mp + 2) / 5 + d.day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

core::Date civil_from_days(int z) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int d = doy - (153 * mp + 2) / 5 + 1;
    const int m = mp < 10 ? mp + 3 : mp - 9;
    return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

core::Date plus_days(const core::Date& d, int n) {
    return civil_from_days(days_from_civil(d) + n);
}

/// The same day a year earlier (29 February becomes the 28th).
core::Date year_before(const core::Date& d) {
    core::Date out{d.year - 1, d.month, d.day};
    if (!core::parse_iso_date(out.iso())) {
        out.day = 28;
    }
    return out;
}

struct WardBox {
    const WardRecord* ward = nullptr;
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
};

/// The ward's requests created in [?5, ?6), by their placement (myward_request_wards, kept
/// by MyWardService::place_requests): one range of its (ward_id, created_at) index, ward id
/// bound at ?1, oldest first.
const char* requests_in_ward =
    " FROM myward_request_wards m CROSS JOIN service_requests r ON r.id = m.request_id "
    "WHERE m.ward_id = ?1 AND m.created_at >= ?5 AND m.created_at < ?6";

/// The R-tree condition of a SpatiaLite table's geometry column by the box bound at ?1..?4
/// (minx, miny, maxx, maxy).

std::string in_box(const std::string& alias, const std::string& table) {
    return alias + ".ROWID IN (SELECT pkid FROM idx_" + table +
           "_geom WHERE xmin <= ?3 AND xmax >= ?1 AND ymin <= ?4 AND ymax >= ?2)";
}

void bind_box(store::Statement& st, const WardBox& box) {
    st.bind(1, box.minx).bind(2, box.miny).bind(3, box.maxx).bind(4, box.maxy);
}

bool table_has_rows(store::Database& db, const std::string& table) {
    return db.query_int("SELECT EXISTS (SELECT 1 FROM " + table + ")").value_or(0) != 0;
}

double round2(double v) {
    return std::round(v * 100) / 100;
}
double seven(double v) {
    return std::round(v * 1e7) / 1e7;
}

ordered_json counts_json(const std::map<std::string, int>& counts, const char* key) {
    ordered_json out = ordered_json::array();
    for (const auto& [k, n] : counts) {
        out.push_back({{key, k}, {"count", n}});
    }
    return out;
}

ordered_json in_use_false() {
    return {{"in_use", false}};
}

/// A request as the panels need it.
struct RequestFact {
    std::int64_t id;
    std::string category;
    std::string status;
    std::string created_at;
    std::optional<std::string> closed_at;
    std::optional<std::string> expected_at;
    bool open;
    bool within_target; // closed on or before expected_at
    double days_to_close;
    double e, n, lon, lat;
};

const char* request_columns =
    "r.id, r.category_code, r.status, r.created_at, r.closed_at, r.expected_at, r.is_open, "
    "(r.closed_at IS NOT NULL AND r.expected_at IS NOT NULL AND "
    " julianday(r.closed_at) <= julianday(r.expected_at)), "
    "julianday(r.closed_at) - julianday(r.created_at), "
    "X(r.geom), Y(r.geom), X(r.geom_wgs84), Y(r.geom_wgs84)";

RequestFact read_fact(const store::Statement& st) {
    return {st.int64(0),
            std::string(st.text(1)),
            std::string(st.text(2)),
            std::string(st.text(3)),
            st.optional_text(4),
            st.optional_text(5),
            st.int64(6) != 0,
            st.int64(7) != 0,
            st.is_null(8) ? 0.0 : st.real(8),
            st.real(9),
            st.real(10),
            st.real(11),
            st.real(12)};
}

bool matches(const RequestFact& f, const MyWardQuery& q) {
    if (q.category && f.category != *q.category) {
        return false;
    }
    if (q.status) {
        if (*q.status == "open") {
            return f.open;
        }
        if (*q.status == "closed") {
            return !f.open;
        }
        return f.status == *q.status;
    }
    return true;
}

std::string now_iso() {
    return core::format_utc(core::now_seconds());
}

} // namespace

MyWardService::MyWardService(store::ConnectionPool& pool,
                             const WardService& wards,
                             const EmptyPropertyService& empty_properties,
                             int suppress_threshold)
    : m_pool(pool), m_wards(wards), m_empty(empty_properties),
      m_suppress_below(suppress_threshold) {}

std::shared_ptr<const WardIndex> MyWardService::current_index(store::Database& db,
                                                              std::string* generation) const {
    auto now = store::generation(db, "wards");
    std::lock_guard lock(m_index_mutex);
    if (!m_index || m_index_generation != now) {
        m_index = WardIndex::load(db);
        m_index_generation = now;
    }
    if (generation) {
        *generation = m_index_generation;
    }
    return m_index;
}

namespace {

/// Places the requests `select` yields (id, X(geom), Y(geom), created_at) in the boundary set
/// valid on `date`, writing one row each for set `set_id` with `insert`.
/// Returns the last id read.
std::int64_t place_rows(const WardIndex& index,
                        std::int64_t set_id,
                        const core::Date& date,
                        store::Statement& select,
                        store::Statement& insert) {
    std::int64_t last = -1;
    while (select.step()) {
        last = select.int64(0);
        const WardRecord* w =
            select.is_null(1) ? nullptr : index.find({select.real(1), select.real(2)}, date);
        insert.bind(1, set_id).bind(2, last);
        if (w) {
            insert.bind(3, w->id);
        } else {
            insert.bind_null(3);
        }
        insert.bind(4, std::string(select.text(3)));
        insert.run();
    }
    return last;
}

} // namespace

std::int64_t MyWardService::place_requests(store::Database& db, const WardRecord& ward) const {
    auto set = db.prepare("SELECT w.boundary_set_id, b.valid_from, EXISTS (SELECT 1 FROM "
                          "myward_placed_sets p WHERE p.boundary_set_id = w.boundary_set_id), "
                          "EXISTS (SELECT 1 FROM myward_unplaced_requests) FROM wards w JOIN "
                          "boundary_sets b ON b.id = w.boundary_set_id WHERE w.id = ?1");
    set.bind(1, ward.id);
    if (!set.step()) {
        throw DomainError(ErrorCode::not_found, "the ward " + ward.code + " is not stored");
    }
    const std::int64_t set_id = set.int64(0);
    if (set.int64(2) != 0 && set.int64(3) == 0) {
        return set_id; // placed, nothing queued: the common case, two index probes
    }
    std::lock_guard lock(m_placing);
    // Building the derived placement is not the request's own database work: it runs without
    // the request's query budget (seconds at 1,000,000 requests, once per boundary set); the
    // budget is then given back moved on by the time the placement took.
    struct BudgetBack {
        store::Database& db;
        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        ~BudgetBack() {
            auto deadline = store::QueryBudget::current_deadline();
            if (deadline) {
                *deadline += std::chrono::steady_clock::now() - started;
            }
            db.set_deadline(deadline);
        }
    } budget_back{db};
    db.set_deadline(std::nullopt);
    // The wards as stored now: a placement is built from the stored geometry only.
    std::string wards_generation;
    const auto fresh = current_index(db, &wards_generation);
    const auto set_date = [&db](std::int64_t id) {
        auto st = db.prepare("SELECT valid_from FROM boundary_sets WHERE id = ?1");
        st.bind(1, id);
        std::optional<core::Date> d;
        if (st.step()) {
            d = core::parse_iso_date(std::string(st.text(0)).substr(0, 10));
        }
        return d;
    };
    const char* insert_sql = "INSERT OR REPLACE INTO myward_request_wards (boundary_set_id, "
                             "request_id, ward_id, created_at) VALUES (?1, ?2, ?3, ?4)";
    // Sets already placed get the queued requests placed again.
    std::vector<std::int64_t> placed;
    {
        auto st = db.prepare("SELECT boundary_set_id FROM myward_placed_sets");
        while (st.step()) {
            placed.push_back(st.int64(0));
        }
    }
    const bool rebuild = std::find(placed.begin(), placed.end(), set_id) == placed.end();
    {
        store::Transaction tx(db);
        for (const auto id : placed) {
            if (id == set_id && rebuild) {
                continue;
            }
            const auto date = set_date(id);
            if (!date) {
                db.exec("DELETE FROM myward_placed_sets WHERE boundary_set_id = " +
                        std::to_string(id));
                continue;
            }
            auto select = db.prepare("SELECT r.id, X(r.geom), Y(r.geom), r.created_at FROM "
                                     "myward_unplaced_requests u JOIN service_requests r ON r.id "
                                     "= u.request_id ORDER BY r.id");
            auto insert = db.prepare(insert_sql);
            (void)place_rows(*fresh, id, *date, select, insert);
        }
        db.exec("DELETE FROM myward_unplaced_requests");
        tx.commit();
    }
    if (!rebuild) {
        return set_id;
    }
    // The whole set, from the stored geometry, in transactions of 50,000 requests (other
    // writers wait for one at a time, not for the whole set).
    const auto date = set_date(set_id);
    if (!date) {
        throw DomainError(ErrorCode::not_found, "the ward " + ward.code + " has no boundary set");
    }
    {
        store::Transaction tx(db);
        auto del = db.prepare("DELETE FROM myward_request_wards WHERE boundary_set_id = ?1");
        del.bind(1, set_id);
        del.run();
        tx.commit();
    }
    std::int64_t after = -1;
    for (;;) {
        store::Transaction tx(db);
        auto select = db.prepare("SELECT id, X(geom), Y(geom), created_at FROM service_requests "
                                 "WHERE id > ?1 ORDER BY id LIMIT 50000");
        select.bind(1, after);
        auto insert = db.prepare(insert_sql);
        const auto last = place_rows(*fresh, set_id, *date, select, insert);
        if (last < 0) {
            // Marked placed only if no boundary import came in meanwhile (its triggers
            // dropped the mark; its generation says so even before they ran here).
            if (store::generation(db, "wards") != wards_generation) {
                tx.commit();
                break;
            }
            auto done = db.prepare("INSERT OR REPLACE INTO myward_placed_sets (boundary_set_id, "
                                   "placed_at) VALUES (?1, ?2)");
            done.bind(1, set_id).bind(2, now_iso());
            done.run();
            tx.commit();
            break;
        }
        after = last;
        tx.commit();
    }
    return set_id;
}

const std::vector<std::string>& MyWardService::panel_names() {
    static const std::vector<std::string> names = {
        "summary",  "categories", "statuses",    "months",           "repeat_locations",
        "planning", "bins",       "streetscene", "empty_properties", "bereavement"};
    return names;
}

namespace {

WardBox resolve(store::Database& db, const WardIndex& index, const MyWardQuery& q) {
    const WardRecord* found = nullptr;
    bool known = false;
    const int on = date_key(q.on);
    for (const auto& w : index.wards()) {
        if (w.code != q.ward_code) {
            continue;
        }
        known = true;
        const auto from = core::parse_iso_date(w.valid_from);
        const auto to = w.valid_to ? core::parse_iso_date(*w.valid_to) : std::nullopt;
        if (from && date_key(*from) <= on && (!to || on < date_key(*to))) {
            found = &w;
        }
    }
    if (!known) {
        throw DomainError(ErrorCode::not_found,
                          "no ward has the code '" + q.ward_code.substr(0, 20) + "'");
    }
    if (!found) {
        throw DomainError(ErrorCode::not_found, "the ward " + q.ward_code.substr(0, 20) +
                                                    " was not in force on " + q.on.iso() +
                                                    " (see parameter on)");
    }
    auto st = db.prepare("SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM "
                         "wards WHERE id = ?1");
    st.bind(1, found->id);
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "the ward " + q.ward_code + " has no geometry");
    }
    return {found, st.real(0), st.real(1), st.real(2), st.real(3)};
}

} // namespace

void MyWardService::check(MyWardQuery& q) const {
    if (date_key(q.from) > date_key(q.to)) {
        invalid_parameter("from", "must not be after to (" + q.to.iso() + ")");
    }
    const auto today = core::uk_date(core::now_seconds());
    if (date_key(q.to) > date_key(today)) {
        invalid_parameter("to", "must not be after today (" + today.iso() + ")");
    }
    auto db = m_pool.acquire();
    const auto first = db->query_text("SELECT min(created_at) FROM service_requests");
    if (first && first->size() >= 10) {
        const auto d = core::parse_iso_date(first->substr(0, 10));
        if (d && date_key(q.from) < date_key(*d) && !q.from_given) {
            q.from = date_key(*d) <= date_key(q.to) ? *d : q.to;
        } else if (d && date_key(q.from) < date_key(*d)) {
            invalid_parameter("from",
                              "the range is longer than the data, which begins on " + d->iso());
        }
    }
    const auto index = current_index(*db);
    (void)resolve(*db, *index, q);
}

void MyWardService::visit_requests(const MyWardQuery& q,
                                   const std::function<void(const MyWardRequestRow&)>& row) const {
    auto db = m_pool.acquire();
    const auto index = current_index(*db);
    const auto box = resolve(*db, *index, q);
    (void)place_requests(*db, *box.ward);
    const auto now = now_iso();
    auto st = db->prepare(std::string("SELECT ") + request_columns + requests_in_ward +
                          " ORDER BY m.created_at, m.request_id");
    st.bind(1, box.ward->id);
    st.bind(5, q.from.iso()).bind(6, plus_days(q.to, 1).iso());
    while (st.step()) {
        const auto f = read_fact(st);
        if (!matches(f, q)) {
            continue;
        }
        row({f.id, f.category, f.status, f.created_at, f.closed_at, f.expected_at, f.open,
             f.open && f.expected_at && *f.expected_at < now, f.lon, f.lat, f.e, f.n});
    }
}

namespace {

struct RequestPanel {
    ordered_json json;
    std::map<std::string, int> by_category, by_status, by_month;
    struct Spot {
        int count = 0;
        double lon = 0, lat = 0;
    };
    std::vector<Spot> repeats;
};

RequestPanel request_panel(store::Database& db,
                           const WardIndex& index,
                           const WardBox& box,
                           const MyWardQuery& q) {
    RequestPanel p;
    if (!table_has_rows(db, "service_requests")) {
        p.json = in_use_false();
        return p;
    }
    const auto now = now_iso();
    const core::Date ly_from = year_before(q.from);
    const core::Date ly_to = year_before(q.to);
    const std::string from = q.from.iso();
    const std::string to_excl = plus_days(q.to, 1).iso();
    const std::string ly_to_excl = plus_days(ly_to, 1).iso();
    // Newest first, straight from the placement's index: the list (the newest 100) and the
    // points are written as the rows come, nothing is kept or sorted.
    auto st = db.prepare(std::string("SELECT ") + request_columns + requests_in_ward +
                         " ORDER BY m.created_at DESC, m.request_id DESC");
    st.bind(1, box.ward->id);
    st.bind(5, from).bind(6, to_excl);
    int received = 0, open = 0, closed = 0, overdue = 0, with_target = 0, within = 0;
    int last_year = 0, fly_reported = 0, fly_cleared = 0;
    std::vector<double> days;
    std::unordered_map<std::int64_t, RequestPanel::Spot> cells;
    cells.reserve(4096);
    ordered_json list = ordered_json::array();
    ordered_json points = ordered_json::array();
    while (st.step()) {
        auto f = read_fact(st);
        if (f.category == "fly_tipping") {
            ++fly_reported;
            fly_cleared += f.open ? 0 : 1;
        }
        if (!matches(f, q)) {
            continue;
        }
        ++received;
        ++p.by_category[f.category];
        ++p.by_status[f.status];
        ++p.by_month[f.created_at.substr(0, 7)];
        if (f.open) {
            ++open;
            if (f.expected_at && *f.expected_at < now) {
                ++overdue;
            }
        } else {
            ++closed;
            if (f.closed_at) {
                days.push_back(f.days_to_close);
                if (f.expected_at) {
                    ++with_target;
                    within += f.within_target ? 1 : 0;
                }
            }
        }
        const auto cx = static_cast<std::int64_t>(std::floor(f.e / MyWardService::repeat_cell_m));
        const auto cy = static_cast<std::int64_t>(std::floor(f.n / MyWardService::repeat_cell_m));
        auto& cell = cells[cx * 100000 + cy];
        ++cell.count;
        cell.lon += f.lon;
        cell.lat += f.lat;
        points.push_back({seven(f.lon), seven(f.lat)});
        if (list.size() < 100) {
            list.push_back({{"id", f.id},
                            {"category", f.category},
                            {"status", f.status},
                            {"created_at", f.created_at},
                            {"url", "/track.html?id=" + std::to_string(f.id)}});
        }
    }
    // The same period a year earlier in the ward: counted on the placement's index alone
    // when there is no filter.
    {
        std::string sql = q.category || q.status
                              ? std::string("SELECT count(*)") + requests_in_ward
                              : "SELECT count(*) FROM myward_request_wards m WHERE m.ward_id = "
                                "?1 AND m.created_at >= ?5 AND m.created_at < ?6";
        if (q.category) {
            sql += " AND r.category_code = ?3";
        }
        if (q.status) {
            sql += *q.status == "open"     ? " AND r.is_open = 1"
                   : *q.status == "closed" ? " AND r.is_open = 0"
                                           : " AND r.status = ?4";
        }
        auto ly = db.prepare(sql);
        ly.bind(1, box.ward->id).bind(5, ly_from.iso()).bind(6, ly_to_excl);
        if (q.category) {
            ly.bind(3, *q.category);
        }
        if (q.status && *q.status != "open" && *q.status != "closed") {
            ly.bind(4, *q.status);
        }
        ly.step();
        last_year = static_cast<int>(ly.int64(0));
    }
    // Borough: the same filters over every request, by SQL on indexed columns.
    std::string borough_sql =
        "SELECT count(*) FROM service_requests r WHERE r.created_at >= ?1 AND r.created_at < ?2";
    if (q.category) {
        borough_sql += " AND r.category_code = ?3";
    }
    if (q.status) {
        borough_sql += *q.status == "open"     ? " AND r.is_open = 1"
                       : *q.status == "closed" ? " AND r.is_open = 0"
                                               : " AND r.status = ?4";
    }
    auto b = db.prepare(borough_sql);
    b.bind(1, from).bind(2, to_excl);
    if (q.category) {
        b.bind(3, *q.category);
    }
    if (q.status && *q.status != "open" && *q.status != "closed") {
        b.bind(4, *q.status);
    }
    b.step();
    const auto borough = b.int64(0);
    // Addresses (the gazetteer's properties) in the ward and in the borough.
    std::int64_t ward_addresses = 0;
    {
        auto a = db.prepare("SELECT p.easting, p.northing FROM properties p WHERE " +
                            in_box("p", "properties"));
        bind_box(a, box);
        while (a.step()) {
            ward_addresses += index.find({a.real(0), a.real(1)}, q.on) == box.ward ? 1 : 0;
        }
    }
    const auto borough_addresses = db.query_int("SELECT count(*) FROM properties").value_or(0);

    std::sort(days.begin(), days.end());
    double mean = 0;
    for (const double d : days) {
        mean += d;
    }
    ordered_json mean_j = nullptr, median_j = nullptr;
    if (!days.empty()) {
        mean_j = round2(mean / static_cast<double>(days.size()));
        const auto m = days.size() / 2;
        median_j = round2(days.size() % 2 ? days[m] : (days[m - 1] + days[m]) / 2);
    }
    for (const auto& [key, spot] : cells) {
        if (spot.count >= MyWardService::repeat_min_reports) {
            p.repeats.push_back(
                {spot.count, seven(spot.lon / spot.count), seven(spot.lat / spot.count)});
        }
    }
    std::sort(p.repeats.begin(), p.repeats.end(), [](const auto& a, const auto& b2) {
        return a.count != b2.count ? a.count > b2.count
                                   : (a.lon != b2.lon ? a.lon < b2.lon : a.lat < b2.lat);
    });
    ordered_json repeats = ordered_json::array();
    for (const auto& s : p.repeats) {
        repeats.push_back({{"count", s.count}, {"lon", s.lon}, {"lat", s.lat}});
    }
    const auto per_1000 = [](std::int64_t n, std::int64_t addresses) -> ordered_json {
        return addresses > 0 ? ordered_json(round2(1000.0 * static_cast<double>(n) /
                                                   static_cast<double>(addresses)))
                             : ordered_json(nullptr);
    };
    p.json = {
        {"in_use", true},
        {"received", received},
        {"open", open},
        {"closed", closed},
        {"overdue", overdue},
        {"by_category", counts_json(p.by_category, "category")},
        {"by_status", counts_json(p.by_status, "status")},
        {"by_month", counts_json(p.by_month, "month")},
        {"sla",
         {{"closed_with_target", with_target},
          {"closed_within_target", within},
          {"attainment", with_target ? ordered_json(round2(100.0 * within / with_target))
                                     : ordered_json(nullptr)}}},
        {"days_to_close", {{"closed", days.size()}, {"mean", mean_j}, {"median", median_j}}},
        {"repeat_locations", std::move(repeats)},
        {"fly_tipping", {{"reported", fly_reported}, {"cleared", fly_cleared}}},
        {"trends",
         {{"borough",
           {{"received", borough},
            {"ward_share_percent",
             borough ? ordered_json(round2(100.0 * received / static_cast<double>(borough)))
                     : ordered_json(nullptr)},
            {"ward_addresses", ward_addresses},
            {"borough_addresses", borough_addresses},
            {"ward_per_1000_addresses", per_1000(received, ward_addresses)},
            {"borough_per_1000_addresses", per_1000(borough, borough_addresses)}}},
          {"last_year",
           {{"from", ly_from.iso()},
            {"to", ly_to.iso()},
            {"received", last_year},
            {"change_percent", last_year ? ordered_json(round2(100.0 * (received - last_year) /
                                                               static_cast<double>(last_year)))
                                         : ordered_json(nullptr)}}}}},
        {"points", std::move(points)},
        {"list", std::move(list)}};
    return p;
}

struct PlanningRow {
    std::string reference, app_type, status;
    std::optional<std::string> decision, decided_date;
    std::string received_date;
    double lon, lat;
};

ordered_json planning_panel(store::Database& db,
                            const WardIndex& index,
                            const WardBox& box,
                            const MyWardQuery& q,
                            std::vector<PlanningRow>* rows_out) {
    if (!table_has_rows(db, "planning_applications")) {
        return in_use_false();
    }
    // The planning helper is replacing the typed ward column: it is never read here.
    auto st = db.prepare("SELECT a.reference, a.app_type, a.status, a.decision, a.received_date, "
                         "a.decided_date, X(a.geom), Y(a.geom), X(a.geom_wgs84), Y(a.geom_wgs84) "
                         "FROM planning_applications a WHERE a.received_date >= ?5 AND "
                         "a.received_date <= ?6 AND a.geom IS NOT NULL AND " +
                         in_box("a", "planning_applications") +
                         " ORDER BY a.received_date DESC, a.reference");
    bind_box(st, box);
    st.bind(5, q.from.iso()).bind(6, q.to.iso());
    int received = 0, validated = 0, decided = 0, pending = 0, withdrawn = 0;
    std::map<std::string, int> decisions, types;
    ordered_json list = ordered_json::array();
    while (st.step()) {
        if (index.find({st.real(6), st.real(7)}, q.on) != box.ward) {
            continue;
        }
        PlanningRow r{std::string(st.text(0)), std::string(st.text(1)), std::string(st.text(2)),
                      st.optional_text(3),     st.optional_text(5),     std::string(st.text(4)),
                      seven(st.real(8)),       seven(st.real(9))};
        ++received;
        validated += r.status != "received" && r.status != "invalid" ? 1 : 0;
        if (r.decided_date || r.decision) {
            ++decided;
            ++decisions[r.decision.value_or("unknown")];
        } else if (r.status == "withdrawn") {
            ++withdrawn;
        } else {
            ++pending;
        }
        ++types[r.app_type];
        list.push_back(
            {{"reference", r.reference},
             {"app_type", r.app_type},
             {"status", r.status},
             {"decision", r.decision ? ordered_json(*r.decision) : ordered_json()},
             {"received_date", r.received_date},
             {"decided_date", r.decided_date ? ordered_json(*r.decided_date) : ordered_json()},
             {"lon", r.lon},
             {"lat", r.lat},
             {"url", "/ogc/collections/planning_applications/items?reference=" + r.reference}});
        if (rows_out) {
            rows_out->push_back(std::move(r));
        }
    }
    return {{"in_use", true},
            {"received", received},
            {"validated", validated},
            {"decided", decided},
            {"pending", pending},
            {"withdrawn", withdrawn},
            {"decisions", counts_json(decisions, "decision")},
            {"by_type", counts_json(types, "app_type")},
            {"list", std::move(list)}};
}

struct BinRow {
    std::int64_t id;
    std::string reference, type, capacity;
    int reports;
};

ordered_json bins_panel(store::Database& db,
                        const WardIndex& index,
                        const WardBox& box,
                        const MyWardQuery& q,
                        const ordered_json& fly_tipping,
                        std::vector<BinRow>* rows_out) {
    if (db.query_int("SELECT EXISTS (SELECT 1 FROM street_assets WHERE asset_type IN "
                     "('litter_bin', 'dog_bin'))")
            .value_or(0) == 0) {
        return in_use_false();
    }
    // Overflow reports: requests linked to the bin (request_asset_links) received in range.
    auto st = db.prepare(
        "SELECT s.id, s.reference, s.asset_type, "
        "coalesce(json_extract(s.attributes, '$.capacity_l'), ''), s.anchor_e, s.anchor_n, "
        "(SELECT count(*) FROM request_asset_links l JOIN service_requests r ON r.id = "
        "l.request_id WHERE l.asset_id = s.id AND r.created_at >= ?5 AND r.created_at < ?6) "
        "FROM street_assets s WHERE s.asset_type IN ('litter_bin', 'dog_bin') AND "
        "(s.installed_on IS NULL OR s.installed_on <= ?7) AND "
        "(s.removed_on IS NULL OR s.removed_on > ?7) AND " +
        in_box("s", "street_assets") + " ORDER BY s.reference");
    bind_box(st, box);
    st.bind(5, q.from.iso()).bind(6, plus_days(q.to, 1).iso()).bind(7, q.on.iso());
    std::map<std::string, int> types, capacities;
    int bins = 0, reports = 0;
    std::vector<BinRow> reported;
    while (st.step()) {
        if (index.find({st.real(4), st.real(5)}, q.on) != box.ward) {
            continue;
        }
        BinRow r{st.int64(0), std::string(st.text(1)), std::string(st.text(2)),
                 std::string(st.text(3)), static_cast<int>(st.int64(6))};
        ++bins;
        ++types[r.type];
        ++capacities[r.capacity.empty() ? "unknown" : r.capacity + " l"];
        reports += r.reports;
        if (r.reports > 0) {
            reported.push_back(r);
        }
        if (rows_out) {
            rows_out->push_back(std::move(r));
        }
    }
    std::sort(reported.begin(), reported.end(), [](const auto& a, const auto& b) {
        return a.reports != b.reports ? a.reports > b.reports : a.reference < b.reference;
    });
    ordered_json per_bin = ordered_json::array();
    for (const auto& r : reported) {
        per_bin.push_back({{"asset_id", r.id},
                           {"reference", r.reference},
                           {"type", r.type},
                           {"overflow_reports", r.reports}});
    }
    return {{"in_use", true},
            {"bins", bins},
            {"by_type", counts_json(types, "type")},
            {"by_capacity", counts_json(capacities, "capacity")},
            {"overflow_reports", reports},
            {"overflow_reports_per_bin", std::move(per_bin)},
            {"fly_tipping", fly_tipping}};
}

struct VisitRow {
    std::string activity, name;
    int scheduled = 0, done = 0, not_done = 0;
};

/// The meteorological season holding `on`: spring from 1 March, summer 1 June, autumn
/// 1 September, winter 1 December (into the next year).
core::Date season_start(const core::Date& on) {
    const int m = on.month;
    if (m >= 3 && m <= 5) {
        return {on.year, 3, 1};
    }
    if (m >= 6 && m <= 8) {
        return {on.year, 6, 1};
    }
    if (m >= 9 && m <= 11) {
        return {on.year, 9, 1};
    }
    return {m == 12 ? on.year : on.year - 1, 12, 1};
}

/// Street cleansing (activities of kind `cleansing`: litter and dog bins, sweeping,
/// fly-tips) this season: the visits planned from the season's start to `on` whose stop lies
/// in the ward (an asset at its anchor, a property at its point, a street at the middle of
/// its line), against those whose latest completion says done or not done.
ordered_json streetscene_panel(store::Database& db,
                               const WardIndex& index,
                               const WardBox& box,
                               const MyWardQuery& q,
                               std::vector<VisitRow>* rows_out) {
    if (db.query_int("SELECT EXISTS (SELECT 1 FROM schedule_rounds r JOIN schedule_activities a "
                     "ON a.code = r.activity WHERE a.kind = 'cleansing')")
            .value_or(0) == 0) {
        return in_use_false();
    }
    const auto start = season_start(q.on);
    auto st = db.prepare(
        "SELECT a.code, a.name, coalesce(sa.anchor_e, p.easting, "
        "X(Line_Interpolate_Point(st.geom, 0.5))), coalesce(sa.anchor_n, p.northing, "
        "Y(Line_Interpolate_Point(st.geom, 0.5))), (SELECT c.outcome FROM "
        "schedule_visit_completions c WHERE c.visit_id = v.id ORDER BY c.at DESC, c.id DESC "
        "LIMIT 1) FROM schedule_activities a JOIN schedule_rounds r ON r.activity = a.code "
        "CROSS JOIN schedule_visits v ON v.round_id = r.id AND v.planned_date >= ?1 AND "
        "v.planned_date <= ?2 JOIN schedule_round_stops s ON s.id = v.stop_id LEFT JOIN "
        "street_assets sa ON sa.id = s.asset_id LEFT JOIN properties p ON p.uprn = s.uprn "
        "LEFT JOIN streets st ON st.usrn = s.usrn WHERE a.kind = 'cleansing'");
    st.bind(1, start.iso()).bind(2, q.on.iso());
    std::map<std::string, VisitRow> by_activity;
    int scheduled = 0, done = 0, not_done = 0;
    while (st.step()) {
        if (st.is_null(2) || st.is_null(3) ||
            index.find({st.real(2), st.real(3)}, q.on) != box.ward) {
            continue;
        }
        auto& row = by_activity[std::string(st.text(0))];
        row.activity = std::string(st.text(0));
        row.name = std::string(st.text(1));
        const auto outcome = st.optional_text(4);
        ++row.scheduled;
        ++scheduled;
        if (outcome == "done") {
            ++row.done;
            ++done;
        } else if (outcome == "not_done") {
            ++row.not_done;
            ++not_done;
        }
    }
    ordered_json activities = ordered_json::array();
    for (const auto& [code, r] : by_activity) {
        activities.push_back({{"activity", r.activity},
                              {"name", r.name},
                              {"scheduled", r.scheduled},
                              {"completed", r.done},
                              {"not_done", r.not_done}});
        if (rows_out) {
            rows_out->push_back(r);
        }
    }
    return {{"in_use", true},
            {"season_from", start.iso()},
            {"to", q.on.iso()},
            {"scheduled", scheduled},
            {"completed", done},
            {"not_done", not_done},
            {"completed_percent",
             scheduled ? ordered_json(round2(100.0 * done / scheduled)) : ordered_json(nullptr)},
            {"by_activity", std::move(activities)}};
}

ordered_json count_or_null(const std::optional<int>& n) {
    return n ? ordered_json(*n) : ordered_json(nullptr);
}

ordered_json
empty_panel(store::Database& db, const EmptyPropertyService& empty, const MyWardQuery& q) {
    if (!table_has_rows(db, "empty_properties")) {
        return in_use_false();
    }
    const auto c = empty.ward_counts(q.ward_code, q.on);
    ordered_json bands = ordered_json::array();
    for (const auto& [band, n] : c.by_duration) {
        bands.push_back({{"band", std::string(band_name(band))}, {"count", count_or_null(n)}});
    }
    return {{"in_use", true},
            {"total", count_or_null(c.total)},
            {"by_time_empty", std::move(bands)},
            {"inspections",
             {{"due_within_28_days", count_or_null(c.inspections_due)},
              {"overdue", count_or_null(c.inspections_overdue)}}}};
}

struct SectionRow {
    std::string cemetery, section;
    int graves, available;
};

ordered_json
bereavement_panel(store::Database& db,
                  const WardIndex& index,
                  const WardBox& box,
                  const MyWardQuery& q,
                  int threshold,
                  std::vector<SectionRow>* rows_out,
                  std::vector<std::pair<std::string, std::optional<int>>>* burials_out) {
    if (!table_has_rows(db, "cemeteries")) {
        return in_use_false();
    }
    auto st =
        db.prepare("SELECT c.id, c.name, X(PointOnSurface(c.geom)), Y(PointOnSurface(c.geom)) "
                   "FROM cemeteries c WHERE " +
                   in_box("c", "cemeteries") + " ORDER BY c.name");
    bind_box(st, box);
    std::vector<std::pair<std::int64_t, std::string>> cemeteries;
    while (st.step()) {
        if (index.find({st.real(2), st.real(3)}, q.on) == box.ward) {
            cemeteries.emplace_back(st.int64(0), std::string(st.text(1)));
        }
    }
    if (cemeteries.empty()) {
        return {{"in_use", false}, {"reason", "no cemetery lies in this ward"}};
    }
    const std::string year_start = std::to_string(q.on.year) + "-01-01";
    ordered_json out = ordered_json::array();
    for (const auto& [id, name] : cemeteries) {
        auto b = db.prepare("SELECT count(*) FROM interments i JOIN grave_spaces g ON g.id = "
                            "i.grave_id WHERE g.cemetery_id = ?1 AND i.buried_on >= ?2 AND "
                            "i.buried_on <= ?3");
        b.bind(1, id).bind(2, year_start).bind(3, q.on.iso());
        b.step();
        const int burials = static_cast<int>(b.int64(0));
        // A burial count under the threshold could point at a family: suppressed.
        const std::optional<int> shown =
            burials > 0 && burials < threshold ? std::nullopt : std::optional(burials);
        auto s = db.prepare("SELECT cs.name, count(*), sum(" + grave_status_sql("g", "?2") +
                            " = 'available') FROM grave_spaces g JOIN cemetery_sections cs ON "
                            "cs.id = g.section_id WHERE g.cemetery_id = ?1 GROUP BY cs.name "
                            "ORDER BY cs.name");
        s.bind(1, id).bind(2, q.on.iso());
        ordered_json sections = ordered_json::array();
        while (s.step()) {
            SectionRow r{name, std::string(s.text(0)), static_cast<int>(s.int64(1)),
                         static_cast<int>(s.int64(2))};
            sections.push_back(
                {{"section", r.section}, {"graves", r.graves}, {"available", r.available}});
            if (rows_out) {
                rows_out->push_back(std::move(r));
            }
        }
        if (burials_out) {
            burials_out->emplace_back(name, shown);
        }
        out.push_back({{"cemetery", name},
                       {"burials_this_year", count_or_null(shown)},
                       {"space_by_section", std::move(sections)}});
    }
    return {{"in_use", true}, {"year", q.on.year}, {"cemeteries", std::move(out)}};
}

} // namespace

std::string MyWardService::dashboard_json(const MyWardQuery& q) const {
    auto db = m_pool.acquire();
    const auto index = current_index(*db);
    const auto box = resolve(*db, *index, q);
    (void)place_requests(*db, *box.ward);
    auto requests = request_panel(*db, *index, box, q);
    const ordered_json fly = requests.json.contains("fly_tipping") ? requests.json["fly_tipping"]
                                                                   : ordered_json(nullptr);
    ordered_json doc{
        {"ward",
         {{"code", box.ward->code},
          {"name", box.ward->name},
          {"boundary_set", box.ward->boundary_set},
          {"valid_from", box.ward->valid_from},
          {"valid_to", box.ward->valid_to ? ordered_json(*box.ward->valid_to) : ordered_json()}}},
        {"on", q.on.iso()},
        {"from", q.from.iso()},
        {"to", q.to.iso()},
        {"filters",
         {{"category", q.category ? ordered_json(*q.category) : ordered_json()},
          {"status", q.status ? ordered_json(*q.status) : ordered_json()}}},
        {"requests", std::move(requests.json)},
        {"planning", planning_panel(*db, *index, box, q, nullptr)},
        {"bins", bins_panel(*db, *index, box, q, fly, nullptr)},
        {"streetscene", streetscene_panel(*db, *index, box, q, nullptr)},
        {"empty_properties", empty_panel(*db, m_empty, q)},
        {"bereavement", bereavement_panel(*db, *index, box, q, m_suppress_below, nullptr, nullptr)},
        {"suppression",
         {{"threshold", m_suppress_below},
          {"json", "burials by cemetery and the empty-property counts (counts from 1 to "
                   "threshold - 1 are null); request and planning counts are of places, "
                   "not people, and are shown"},
          {"exports", "every count from 1 to threshold - 1 is left empty"}}}};
    return doc.dump();
}

std::string MyWardService::outline_geojson(const MyWardQuery& q) const {
    auto db = m_pool.acquire();
    const auto index = current_index(*db);
    const auto box = resolve(*db, *index, q);
    auto st = db->prepare("SELECT AsGeoJSON(geom_wgs84, 7) FROM wards WHERE id = ?1");
    st.bind(1, box.ward->id);
    st.step();
    return std::string(st.text(0));
}

MyWardTable MyWardService::panel_table(const MyWardQuery& q, const std::string& panel) const {
    auto db = m_pool.acquire();
    const auto index = current_index(*db);
    const auto box = resolve(*db, *index, q);
    MyWardTable t;
    const int threshold = m_suppress_below;
    const auto count_cell = [threshold](int n) -> std::optional<std::string> {
        if (n > 0 && n < threshold) {
            return std::nullopt;
        }
        return std::to_string(n);
    };
    const auto counts_table = [&](const char* key, const std::map<std::string, int>& counts) {
        t.header = {key, "count"};
        for (const auto& [k, n] : counts) {
            t.rows.push_back({k, count_cell(n)});
        }
    };
    if (panel == "summary" || panel == "categories" || panel == "statuses" || panel == "months" ||
        panel == "repeat_locations") {
        (void)place_requests(*db, *box.ward);
        auto p = request_panel(*db, *index, box, q);
        if (panel == "categories") {
            counts_table("category", p.by_category);
        } else if (panel == "statuses") {
            counts_table("status", p.by_status);
        } else if (panel == "months") {
            counts_table("month", p.by_month);
        } else if (panel == "repeat_locations") {
            t.header = {"lon", "lat", "count"};
            for (const auto& s : p.repeats) {
                t.rows.push_back(
                    {std::to_string(s.lon), std::to_string(s.lat), count_cell(s.count)});
            }
        } else {
            t.header = {"measure", "count"};
            if (p.json.value("in_use", false)) {
                for (const char* k : {"received", "open", "closed", "overdue"}) {
                    t.rows.push_back({k, count_cell(p.json[k].get<int>())});
                }
                t.rows.push_back({"closed_within_target",
                                  count_cell(p.json["sla"]["closed_within_target"].get<int>())});
                t.rows.push_back(
                    {"last_year_received",
                     count_cell(p.json["trends"]["last_year"]["received"].get<int>())});
            }
        }
        return t;
    }
    if (panel == "planning") {
        std::vector<PlanningRow> rows;
        (void)planning_panel(*db, *index, box, q, &rows);
        t.header = {"reference",     "app_type",     "status", "decision",
                    "received_date", "decided_date", "lon",    "lat"};
        for (const auto& r : rows) {
            t.rows.push_back({r.reference, r.app_type, r.status, r.decision, r.received_date,
                              r.decided_date, std::to_string(r.lon), std::to_string(r.lat)});
        }
        return t;
    }
    if (panel == "bins") {
        std::vector<BinRow> rows;
        (void)bins_panel(*db, *index, box, q, nullptr, &rows);
        t.header = {"reference", "type", "capacity_l", "overflow_reports"};
        for (const auto& r : rows) {
            t.rows.push_back({r.reference, r.type, r.capacity, count_cell(r.reports)});
        }
        return t;
    }
    if (panel == "streetscene") {
        std::vector<VisitRow> rows;
        (void)streetscene_panel(*db, *index, box, q, &rows);
        t.header = {"activity", "scheduled", "completed", "not_done"};
        for (const auto& r : rows) {
            t.rows.push_back({r.activity, std::to_string(r.scheduled), std::to_string(r.done),
                              std::to_string(r.not_done)});
        }
        return t;
    }
    if (panel == "empty_properties") {
        t.header = {"measure", "count"};
        const auto j = empty_panel(*db, m_empty, q);
        if (j.value("in_use", false)) {
            const auto cell = [](const ordered_json& v) -> std::optional<std::string> {
                return v.is_null() ? std::nullopt : std::optional(std::to_string(v.get<int>()));
            };
            t.rows.push_back({"total", cell(j["total"])});
            for (const auto& b : j["by_time_empty"]) {
                t.rows.push_back({"empty_" + b["band"].get<std::string>(), cell(b["count"])});
            }
            t.rows.push_back(
                {"inspections_due_within_28_days", cell(j["inspections"]["due_within_28_days"])});
            t.rows.push_back({"inspections_overdue", cell(j["inspections"]["overdue"])});
        }
        return t;
    }
    if (panel == "bereavement") {
        std::vector<SectionRow> rows;
        std::vector<std::pair<std::string, std::optional<int>>> burials;
        (void)bereavement_panel(*db, *index, box, q, threshold, &rows, &burials);
        t.header = {"cemetery", "section", "graves", "available", "burials_this_year"};
        for (const auto& [name, n] : burials) {
            t.rows.push_back({name, std::nullopt, std::nullopt, std::nullopt,
                              n ? std::optional(std::to_string(*n)) : std::nullopt});
        }
        for (const auto& r : rows) {
            t.rows.push_back({r.cemetery, r.section, count_cell(r.graves), count_cell(r.available),
                              std::nullopt});
        }
        return t;
    }
    throw DomainError(ErrorCode::not_found, "no panel '" + panel.substr(0, 30) +
                                                "' (summary, categories, statuses, months, "
                                                "repeat_locations, planning, bins, "
                                                "streetscene, empty_properties, bereavement)");
}

} // namespace wardmap::services
