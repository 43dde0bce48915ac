#include "server/services/myward/myward_report.hpp"

#include "core/w3c_time.hpp"
#include "core/xml_text.hpp"

#include "server/services/shared/errors.hpp"
#include "server/services/wards/ward_index.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

namespace wardmap::services {

using nlohmann::json;

namespace {

constexpr std::array<const char*, 12> month_names = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string number(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

/// The ward record in force on `on` with `code`, or null.
const WardRecord* ward_on(const WardIndex& index, const std::string& code, const core::Date& on) {
    const int key = date_key(on);
    for (const auto& w : index.wards()) {
        if (w.code != code) {
            continue;
        }
        const auto from = core::parse_iso_date(w.valid_from);
        const auto to = w.valid_to ? core::parse_iso_date(*w.valid_to) : std::nullopt;
        if (from && date_key(*from) <= key && (!to || key < date_key(*to))) {
            return &w;
        }
    }
    return nullptr;
}

/// Counts from 1 to threshold - 1 are suppressed (as in the exports).
struct Suppress {
    int below;
    [[nodiscard]] std::optional<std::string> operator()(const json& v) const {
        if (v.is_null()) {
            return std::nullopt;
        }
        const auto n = v.get<long long>();
        if (n > 0 && n < below) {
            return std::nullopt;
        }
        return std::to_string(n);
    }
    [[nodiscard]] bool shown(const json& v) const {
        return v.is_number() && (v.get<long long>() == 0 || v.get<long long>() >= below);
    }
};

std::string cell(const std::optional<std::string>& v, int below) {
    return v ? core::xml_text(*v) : "<span class=\"sup\">&lt;" + std::to_string(below) + "</span>";
}

void table(std::string& out,
           const std::string& caption,
           const std::vector<std::pair<std::string, std::optional<std::string>>>& rows,
           int below,
           const char* head = nullptr) {
    out += "<table><caption>" + core::xml_text(caption) + "</caption>";
    if (head != nullptr) {
        out += head;
    }
    out += "<tbody>";
    if (rows.empty()) {
        out += "<tr><td colspan=\"2\" class=\"none\">none this month</td></tr>";
    }
    for (const auto& [label, value] : rows) {
        out += "<tr><th scope=\"row\">" + core::xml_text(label) + "</th><td>" + cell(value, below) +
               "</td></tr>";
    }
    out += "</tbody></table>\n";
}

const char* report_css = R"css(
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 9.5pt;
       color: #111; margin: 0; }
header { border-bottom: 2px solid #1d4e89; margin-bottom: 4mm; padding-bottom: 2mm; }
h1 { font-size: 16pt; margin: 0 0 1mm 0; color: #1d4e89; }
h2 { font-size: 11pt; margin: 3mm 0 1.5mm 0; color: #1d4e89; break-after: avoid; }
.meta { margin: 0; color: #444; }
.top { display: flex; gap: 5mm; align-items: flex-start; }
.map { flex: 0 0 105mm; }
.map svg { display: block; border: 1px solid #999; background: #f6f6f2; }
.map p { margin: 1mm 0 0 0; font-size: 8pt; color: #444; }
.headline { flex: 1 1 auto; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 2mm 5mm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 2mm; break-inside: avoid; }
caption { text-align: left; font-weight: bold; padding: 0.5mm 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.6mm 1mm; text-align: left; }
td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { border-bottom: 1px solid #333; }
.sup { color: #555; }
.none { text-align: left; color: #555; }
footer { margin-top: 3mm; border-top: 1px solid #999; padding-top: 1.5mm; font-size: 8pt;
         color: #444; }
)css";

} // namespace

std::string month_title(const ReportMonth& month) {
    return std::string(month_names.at(static_cast<std::size_t>(month.month - 1))) + " " +
           std::to_string(month.year);
}

std::optional<ReportMonth> parse_report_month(std::string_view text) {
    auto month = core::parse_year_month(text);
    if (month && month->year < 1900) {
        return std::nullopt;
    }
    return month;
}

MyWardReport::MyWardReport(store::ConnectionPool& pool,
                           const WardService& wards,
                           const MyWardService& myward,
                           std::string public_url)
    : m_pool(pool), m_wards(wards), m_myward(myward), m_public_url(std::move(public_url)) {
    while (!m_public_url.empty() && m_public_url.back() == '/') {
        m_public_url.pop_back();
    }
}

MyWardQuery MyWardReport::query(const std::string& ward_code, const ReportMonth& month) const {
    const auto today = core::uk_date(core::now_seconds());
    if (date_key(month.first_day()) > date_key(today)) {
        invalid_parameter("month", "must not be after this month (" +
                                       ReportMonth{today.year, today.month}.iso() + ")");
    }
    MyWardQuery q;
    q.ward_code = ward_code;
    q.from = month.first_day();
    q.from_given = false; // a month before the first stored request is empty, not refused
    q.to = date_key(month.last_day()) > date_key(today) ? today : month.last_day();
    q.on = q.to;
    m_myward.check(q);
    return q;
}

std::string MyWardReport::ward_name(const MyWardQuery& q) const {
    const auto index = m_wards.index();
    const auto* w = ward_on(*index, q.ward_code, q.on);
    return w ? w->name : q.ward_code;
}

std::string MyWardReport::report_url(const std::string& ward_code, const ReportMonth& month) const {
    return m_public_url + "/api/myward/" + ward_code + "/report?month=" + month.iso();
}

std::vector<ReportFigure> MyWardReport::headline(const MyWardQuery& q) const {
    static const std::map<std::string, std::string> labels = {
        {"received", "Requests received"},
        {"open", "Still open"},
        {"closed", "Closed"},
        {"overdue", "Open past their target"},
        {"closed_within_target", "Closed within target"},
        {"last_year_received", "Received in the same month last year"}};
    std::vector<ReportFigure> out;
    for (const auto& row : m_myward.panel_table(q, "summary").rows) {
        if (row.size() == 2 && row[0]) {
            const auto it = labels.find(*row[0]);
            out.emplace_back(it != labels.end() ? it->second : *row[0], row[1]);
        }
    }
    return out;
}

std::string MyWardReport::map_svg(const MyWardQuery& q, double width_mm) const {
    const auto index = m_wards.index();
    const auto* ward = ward_on(*index, q.ward_code, q.on);
    if (ward == nullptr) {
        throw DomainError(ErrorCode::not_found, "the ward " + q.ward_code.substr(0, 20) +
                                                    " was not in force on " + q.on.iso());
    }
    std::string path;
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
    {
        auto db = m_pool.acquire();
        // SpatiaLite's AsSVG writes the 27700 outline as path data with y negated (SVG's y
        // grows downwards), in metres to 1 decimal.
        auto st = db->prepare("SELECT AsSVG(geom, 0, 1), MbrMinX(geom), MbrMinY(geom), "
                              "MbrMaxX(geom), MbrMaxY(geom) FROM wards WHERE id = ?1");
        st.bind(1, ward->id);
        if (!st.step()) {
            throw DomainError(ErrorCode::not_found, "no outline for " + q.ward_code);
        }
        path = std::string(st.text(0));
        minx = st.real(1);
        miny = st.real(2);
        maxx = st.real(3);
        maxy = st.real(4);
    }
    const double pad = std::max(maxx - minx, maxy - miny) * 0.03 + 20;
    minx -= pad;
    miny -= pad;
    maxx += pad;
    maxy += pad;
    const double w = maxx - minx, h = maxy - miny;
    const double height_mm = std::min(width_mm * h / w, width_mm * 1.3);
    std::vector<std::pair<double, double>> points;
    m_myward.visit_requests(
        q, [&points](const MyWardRequestRow& r) { points.emplace_back(r.e, r.n); });
    std::string svg =
        "<svg role=\"img\" width=\"" + number(width_mm, 1) + "mm\" height=\"" +
        number(height_mm, 1) + "mm\" viewBox=\"" + number(minx, 0) + " " + number(-maxy, 0) + " " +
        number(w, 0) + " " + number(h, 0) + "\" preserveAspectRatio=\"xMidYMid meet\"><title>" +
        core::xml_text(ward->name) + ": " + std::to_string(points.size()) + " requests</title>";
    const double stroke = std::max(w, h) / 300;
    svg += "<path d=\"" + core::xml_text(path) + "\" fill=\"#ffffff\" fill-rule=\"evenodd\" " +
           "stroke=\"#1d4e89\" stroke-width=\"" + number(stroke, 1) + "\"/>";
    constexpr std::size_t dots_up_to = 400;
    if (points.size() <= dots_up_to) {
        const double r = std::max(w, h) / 160;
        svg += "<g fill=\"#c0392b\" fill-opacity=\"0.75\" stroke=\"#ffffff\" stroke-width=\"" +
               number(r / 4, 1) + "\">";
        for (const auto& [e, n] : points) {
            svg += "<circle cx=\"" + number(e, 0) + "\" cy=\"" + number(-n, 0) + "\" r=\"" +
                   number(r, 1) + "\"/>";
        }
        svg += "</g>";
    } else {
        // Many requests: 100 m cells of the British National Grid, darker with more.
        constexpr double cell_m = 100;
        std::map<std::pair<long, long>, int> cells;
        for (const auto& [e, n] : points) {
            ++cells[{static_cast<long>(std::floor(e / cell_m)),
                     static_cast<long>(std::floor(n / cell_m))}];
        }
        int most = 1;
        for (const auto& [k, c] : cells) {
            most = std::max(most, c);
        }
        svg += "<g fill=\"#c0392b\">";
        for (const auto& [k, c] : cells) {
            const double opacity = 0.15 + 0.8 * std::sqrt(static_cast<double>(c) / most);
            svg += "<rect x=\"" + std::to_string(k.first * static_cast<long>(cell_m)) + "\" y=\"" +
                   std::to_string(-(k.second + 1) * static_cast<long>(cell_m)) +
                   "\" width=\"100\" height=\"100\" fill-opacity=\"" + number(opacity, 2) + "\"/>";
        }
        svg += "</g>";
    }
    // A scale bar of a round length, bottom left.
    double bar = 100;
    for (const double b : {100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0}) {
        if (b <= w / 4) {
            bar = b;
        }
    }
    const double bx = minx + pad / 2, by = -miny - pad / 2;
    svg += "<g stroke=\"#111\" stroke-width=\"" + number(stroke, 1) + "\"><line x1=\"" +
           number(bx, 0) + "\" y1=\"" + number(by, 0) + "\" x2=\"" + number(bx + bar, 0) +
           "\" y2=\"" + number(by, 0) + "\"/></g><text x=\"" + number(bx, 0) + "\" y=\"" +
           number(by - stroke * 3, 0) + "\" font-size=\"" + number(std::max(w, h) / 35, 0) +
           "\" fill=\"#111\">" +
           (bar >= 1000 ? number(bar / 1000, 0) + " km" : number(bar, 0) + " m") + "</text>";
    svg += "</svg>";
    return svg;
}

std::string MyWardReport::html(const MyWardQuery& q, const ReportMonth& month) const {
    const auto doc = json::parse(m_myward.dashboard_json(q));
    const int below = m_myward.suppress_below();
    const Suppress sup{below};
    const auto& ward = doc["ward"];
    const std::string name = ward.value("name", q.ward_code);
    std::string out = "<!doctype html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
                      "<title>" +
                      core::xml_text(name) + " ward report, " + month_title(month) +
                      "</title><style>" + report_css + "</style></head><body>\n";
    out += "<header><h1>" + core::xml_text(name) + " ward: " + month_title(month) +
           "</h1><p class=\"meta\">" + core::xml_text(q.ward_code) + ", " +
           core::xml_text(ward.value("boundary_set", "")) + " boundaries; requests received " +
           q.from.iso() + " to " + q.to.iso() + "; produced " +
           core::format_utc(core::now_seconds()).substr(0, 10) + "</p></header>\n";

    // The map and the headline figures side by side.
    out += "<section class=\"top\"><figure class=\"map\" style=\"margin:0\">" + map_svg(q, 105) +
           "<p>The ward's boundary in force on " + q.on.iso() +
           " and the month's requests (British National Grid).</p></figure>"
           "<div class=\"headline\">";
    const auto& req = doc["requests"];
    std::vector<ReportFigure> rows;
    if (req.value("in_use", false)) {
        rows.emplace_back("Requests received", sup(req["received"]));
        rows.emplace_back("Still open", sup(req["open"]));
        rows.emplace_back("Closed", sup(req["closed"]));
        rows.emplace_back("Open past their target", sup(req["overdue"]));
        const auto& sla = req["sla"];
        rows.emplace_back("Closed within target", sup(sla["closed_within_target"]));
        // A percentage or a mean of a suppressed count would give the count away.
        rows.emplace_back("Within target (%)",
                          sup.shown(sla["closed_with_target"]) && !sla["attainment"].is_null()
                              ? std::optional(number(sla["attainment"].get<double>(), 1))
                              : std::nullopt);
        const auto& days = req["days_to_close"];
        rows.emplace_back("Median days to close",
                          sup.shown(days["closed"]) && !days["median"].is_null()
                              ? std::optional(number(days["median"].get<double>(), 1))
                              : std::nullopt);
        rows.emplace_back("Fly-tips reported", sup(req["fly_tipping"]["reported"]));
        rows.emplace_back("Fly-tips cleared", sup(req["fly_tipping"]["cleared"]));
        const auto& ly = req["trends"]["last_year"];
        rows.emplace_back("Same month last year", sup(ly["received"]));
        const auto& borough = req["trends"]["borough"];
        rows.emplace_back(
            "Share of the borough's (%)",
            sup.shown(req["received"]) && !borough["ward_share_percent"].is_null()
                ? std::optional(number(borough["ward_share_percent"].get<double>(), 1))
                : std::nullopt);
        table(out, "Requests", rows, below);
    } else {
        out += "<h2>Requests</h2><p>Not in use here.</p>";
    }
    out += "</div></section>\n<section class=\"grid\">";

    if (req.value("in_use", false)) {
        rows.clear();
        for (const auto& c : req["by_category"]) {
            rows.emplace_back(c["category"].get<std::string>(), sup(c["count"]));
        }
        table(out, "Requests by category", rows, below);
        rows.clear();
        for (const auto& c : req["by_status"]) {
            rows.emplace_back(c["status"].get<std::string>(), sup(c["count"]));
        }
        rows.emplace_back("Repeat locations (3 or more reports within 25 m)",
                          sup(json(req["repeat_locations"].size())));
        table(out, "Requests by status", rows, below);
    }
    const auto& planning = doc["planning"];
    if (planning.value("in_use", false)) {
        rows.clear();
        for (const char* k : {"received", "validated", "decided", "pending", "withdrawn"}) {
            std::string label = k;
            label[0] = static_cast<char>(label[0] - 'a' + 'A');
            rows.emplace_back(label, sup(planning[k]));
        }
        for (const auto& d : planning["decisions"]) {
            rows.emplace_back("Decision: " + d["decision"].get<std::string>(), sup(d["count"]));
        }
        table(out, "Planning applications received", rows, below);
    }
    const auto& bins = doc["bins"];
    if (bins.value("in_use", false)) {
        rows.clear();
        rows.emplace_back("Litter and dog bins", sup(bins["bins"]));
        for (const auto& t : bins["by_type"]) {
            rows.emplace_back(t["type"].get<std::string>(), sup(t["count"]));
        }
        rows.emplace_back("Overflow reports", sup(bins["overflow_reports"]));
        rows.emplace_back("Bins with overflow reports",
                          sup(json(bins["overflow_reports_per_bin"].size())));
        table(out, "Bins", rows, below);
    }
    const auto& empty = doc["empty_properties"];
    if (empty.value("in_use", false)) {
        rows.clear();
        rows.emplace_back("Empty properties", sup(empty["total"]));
        for (const auto& b : empty["by_time_empty"]) {
            rows.emplace_back("Empty " + b["band"].get<std::string>(), sup(b["count"]));
        }
        rows.emplace_back("Inspections due within 28 days",
                          sup(empty["inspections"]["due_within_28_days"]));
        rows.emplace_back("Inspections overdue", sup(empty["inspections"]["overdue"]));
        table(out, "Empty homes", rows, below);
    }
    const auto& bereavement = doc["bereavement"];
    if (bereavement.value("in_use", false)) {
        rows.clear();
        for (const auto& c : bereavement["cemeteries"]) {
            rows.emplace_back(c.value("cemetery", std::string("cemetery")) + ": burials in " +
                                  std::to_string(q.on.year),
                              sup(c["burials_this_year"]));
        }
        table(out, "Cemeteries", rows, below);
    }
    out += "</section>\n<footer>Counts from 1 to " + std::to_string(below - 1) +
           " are shown as &lt;" + std::to_string(below) +
           " (small numbers), and percentages of them are left out. Every figure is placed in "
           "the ward by its location against the boundary in force on " +
           q.on.iso() +
           ". No names, addresses or contact details are included. Source: the council's "
           "service requests, planning register, street assets, empty homes register and "
           "burial registers.</footer>\n</body></html>\n";
    return out;
}

} // namespace wardmap::services
