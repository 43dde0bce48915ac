#include "server/services/burials/booking_service.hpp"

#include "core/tokens.hpp"
#include "core/w3c_time.hpp"
#include "core/working_days.hpp"

#include "server/services/access/audit.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/streetscene/one_off_work.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <span>

namespace wardmap::services {

namespace {

// The latest status of booking `b` (its log's last row).
constexpr const char* status_sql =
    "(SELECT e.status FROM burial_booking_events e WHERE e.booking_id = b.id ORDER BY e.id "
    "DESC LIMIT 1)";

[[noreturn]] void conflict(const std::string& reason, const std::string& detail) {
    throw DomainError(ErrorCode::conflict, detail, {{"reason", reason}});
}

[[noreturn]] void no_such_booking(std::int64_t id) {
    throw DomainError(ErrorCode::not_found, "booking " + std::to_string(id) + " not found");
}

/// The caller's firm when they are a funeral director (their bookings only), else nullopt
/// for bereavement staff and admins (every booking). 403 for anyone else.
std::optional<std::string> firm_scope(const Principal& who) {
    for (const auto& grant : who.grants) {
        if (grant.role == Role::funeral_director && grant.firm) {
            return grant.firm;
        }
    }
    if (!allows(who, Permission::burial_book, Scope{std::nullopt, Team::bereavement})) {
        throw DomainError(ErrorCode::forbidden,
                          "bookings of burials are a funeral director's own or the bereavement "
                          "team's");
    }
    return std::nullopt;
}

void require_bereavement_record(const Principal& who) {
    if (!allows(who, Permission::burial_record, Scope{std::nullopt, Team::bereavement})) {
        throw DomainError(ErrorCode::forbidden, "bookings are confirmed and refused by the "
                                                "bereavement team (burial_record)");
    }
}

std::string who_of(const BurialCaller& c) {
    return "person:" + std::to_string(c.principal.id) + " " + c.principal.name;
}

struct Hours {
    int first = 9 * 60 + 30;
    int last = 14 * 60 + 30;
    int step = 60;
};

int minutes_of(const std::string& hhmm) {
    return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2));
}

std::string hhmm(int minutes) {
    // A slot time is within one day, so two digits each; the buffer is sized for any int so
    // that -Wformat-truncation (an error in the Release -Werror build) has nothing to say.
    char buf[24];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
    return buf;
}

/// The cemetery's slot times on `date` (none on a day that is not a working day); not_found
/// for an unknown cemetery.
std::vector<std::string>
slot_times(store::Database& db, std::int64_t cemetery_id, const core::Date& date) {
    auto c = db.prepare_cached("SELECT c.id, h.first_slot, h.last_slot, h.slot_minutes FROM "
                               "cemeteries c LEFT JOIN burial_booking_hours h ON h.cemetery_id "
                               "= c.id WHERE c.id = ?1");
    c.bind(1, cemetery_id);
    if (!c.step()) {
        throw DomainError(ErrorCode::not_found,
                          "cemetery " + std::to_string(cemetery_id) + " not found");
    }
    Hours h;
    if (!c.is_null(1)) {
        h.first = minutes_of(std::string(c.text(1)));
        h.last = minutes_of(std::string(c.text(2)));
        h.step = static_cast<int>(c.int64(3));
    }
    std::vector<std::string> out;
    if (!core::is_working_day(date)) {
        return out;
    }
    for (int m = h.first; m <= h.last; m += h.step) {
        out.push_back(hhmm(m));
    }
    return out;
}

struct BookingRow {
    std::int64_t cemetery_id = 0;
    std::string date, time, firm, status, interment_kind;
    std::optional<std::int64_t> grave_id, new_section_id;
    std::optional<std::string> new_grave_type;
};

BookingRow read_row(store::Database& db, std::int64_t id, const std::optional<std::string>& firm) {
    auto q = db.prepare_cached(std::string("SELECT b.cemetery_id, b.slot_date, b.slot_time, "
                                           "b.firm, ") +
                               status_sql +
                               ", b.interment_kind, b.grave_id, b.new_section_id, "
                               "b.new_grave_type FROM burial_bookings b WHERE b.id = ?1");
    q.bind(1, id);
    if (!q.step()) {
        no_such_booking(id);
    }
    BookingRow r;
    r.cemetery_id = q.int64(0);
    r.date = q.text(1);
    r.time = q.text(2);
    r.firm = q.text(3);
    r.status = q.text(4);
    r.interment_kind = q.text(5);
    if (!q.is_null(6)) {
        r.grave_id = q.int64(6);
    }
    if (!q.is_null(7)) {
        r.new_section_id = q.int64(7);
    }
    r.new_grave_type = q.optional_text(8);
    // Another firm's booking is not there for this caller.
    if (firm && *firm != r.firm) {
        no_such_booking(id);
    }
    return r;
}

void append_event(store::Database& db,
                  std::int64_t booking_id,
                  const std::string& status,
                  const std::optional<std::string>& reason,
                  std::optional<std::int64_t> grave_id,
                  std::optional<std::int64_t> visit_id,
                  std::optional<std::int64_t> interment_id,
                  const std::string& by) {
    auto st = db.prepare_cached(
        "INSERT INTO burial_booking_events (booking_id, status, reason, grave_id, visit_id, "
        "interment_id, at, by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    st.bind(1, booking_id).bind(2, status).bind(3, reason).bind(4, grave_id).bind(5, visit_id);
    st.bind(6, interment_id).bind(7, core::format_utc(core::now_seconds())).bind(8, by).run();
}

/// The live booking (other than `self`) holding the slot, or the grave on the day.
std::optional<std::int64_t> holder_of_slot(store::Database& db,
                                           std::int64_t cemetery_id,
                                           const std::string& date,
                                           const std::string& time) {
    auto q = db.prepare_cached("SELECT booking_id FROM burial_slot_holds WHERE cemetery_id = ?1 "
                               "AND slot_date = ?2 AND slot_time = ?3 AND released_at IS NULL");
    q.bind(1, cemetery_id).bind(2, date).bind(3, time);
    if (q.step()) {
        return q.int64(0);
    }
    return std::nullopt;
}
std::optional<std::int64_t>
holder_of_grave(store::Database& db, std::int64_t grave_id, const std::string& date) {
    auto q = db.prepare_cached("SELECT booking_id FROM burial_slot_holds WHERE grave_id = ?1 AND "
                               "slot_date = ?2 AND released_at IS NULL");
    q.bind(1, grave_id).bind(2, date);
    if (q.step()) {
        return q.int64(0);
    }
    return std::nullopt;
}

/// Live bookings of a grave not yet completed: each will use a space.
int pending_bookings_of(store::Database& db,
                        std::int64_t grave_id,
                        const std::string& kind,
                        std::int64_t except) {
    auto q = db.prepare_cached(
        std::string("SELECT count(*) FROM burial_slot_holds h JOIN burial_bookings b ON b.id = "
                    "h.booking_id WHERE h.grave_id = ?1 AND h.released_at IS NULL AND "
                    "b.interment_kind = ?2 AND b.id <> ?3 AND ") +
        status_sql + " IN ('requested', 'confirmed')");
    q.bind(1, grave_id).bind(2, kind).bind(3, except);
    q.step();
    return static_cast<int>(q.int64(0));
}

/// The grave's refusals for a burial of `kind` on `date`: 409 naming the reason.
void check_grave_open(store::Database& db,
                      std::int64_t grave_id,
                      const core::Date& date,
                      const std::string& kind,
                      std::int64_t except = 0) {
    const auto status = grave_status(db, grave_id, date);
    if (!status) {
        invalid_parameter("grave_number", "no such grave");
    }
    if (status->status == "unavailable") {
        conflict("grave_unavailable", "grave " + status->grave_number + " is unavailable (" +
                                          status->unavailable_reason.value_or("override") + ")");
    }
    const int pending = pending_bookings_of(db, grave_id, kind, except);
    const bool coffin = kind == "coffin";
    const int used = (coffin ? status->coffins_used : status->cremated_remains_used) + pending;
    const int max = coffin ? status->max_coffins : status->max_cremated_remains;
    if (status->status == "full" || used >= max) {
        conflict("grave_full", "grave " + status->grave_number + " has no " +
                                   (coffin ? "coffin" : "cremated remains") + " space left (" +
                                   std::to_string(used) + " of " + std::to_string(max) +
                                   " used or booked)");
    }
}

bool is_unique_violation(const store::StoreError& e) {
    return (e.sqlite_code() & 0xff) == SQLITE_CONSTRAINT;
}

std::string sniff_type(const std::string& body) {
    if (body.starts_with("%PDF-")) {
        return "application/pdf";
    }
    if (body.size() > 3 && static_cast<unsigned char>(body[0]) == 0xFF &&
        static_cast<unsigned char>(body[1]) == 0xD8 &&
        static_cast<unsigned char>(body[2]) == 0xFF) {
        return "image/jpeg";
    }
    if (body.starts_with("\x89PNG\r\n\x1a\n")) {
        return "image/png";
    }
    return {};
}

Booking read_booking(store::Statement& q) {
    Booking b;
    b.id = q.int64(0);
    b.cemetery_id = q.int64(1);
    b.cemetery = q.text(2);
    b.date = q.text(3);
    b.time = q.text(4);
    b.firm = q.text(5);
    b.forenames = q.optional_text(6);
    b.surname = q.text(7);
    b.died_on = q.text(8);
    if (!q.is_null(9)) {
        b.age_years = q.int64(9);
    }
    b.interment_kind = q.text(10);
    if (!q.is_null(11)) {
        b.grave_id = q.int64(11);
    }
    b.grave_number = q.optional_text(12);
    b.deed_number = q.optional_text(13);
    if (!q.is_null(14)) {
        b.new_section_id = q.int64(14);
    }
    b.new_section = q.optional_text(15);
    b.new_grave_type = q.optional_text(16);
    b.notes = q.optional_text(17);
    b.status = q.text(18);
    b.requested_at = q.text(19);
    b.requested_by = q.text(20);
    return b;
}

// The grave shown is the one asked for, else the one the confirmation picked.
const std::string booking_columns =
    std::string("SELECT b.id, b.cemetery_id, c.name, b.slot_date, b.slot_time, b.firm, "
                "b.forenames, b.surname, b.died_on, b.age_years, b.interment_kind, g.id, "
                "g.grave_number, b.deed_number, b.new_section_id, s.name, b.new_grave_type, "
                "b.notes, ") +
    status_sql +
    ", b.requested_at, b.requested_by FROM burial_bookings b JOIN cemeteries c ON c.id = "
    "b.cemetery_id LEFT JOIN cemetery_sections s ON s.id = b.new_section_id LEFT JOIN "
    "grave_spaces g ON g.id = coalesce(b.grave_id, (SELECT h.grave_id FROM burial_slot_holds h "
    "WHERE h.booking_id = b.id), (SELECT e.grave_id FROM burial_booking_events e WHERE "
    "e.booking_id = b.id AND e.status = 'confirmed'))";

} // namespace

std::vector<Slot> BookingService::slots(std::int64_t cemetery_id, const std::string& date) const {
    const auto d = core::parse_iso_date(date);
    if (!d) {
        invalid_parameter("date", "is required: a date YYYY-MM-DD");
    }
    auto db = m_pool.acquire();
    std::vector<Slot> out;
    for (auto& t : slot_times(*db, cemetery_id, *d)) {
        const bool taken = holder_of_slot(*db, cemetery_id, date, t).has_value();
        out.push_back({std::move(t), !taken});
    }
    return out;
}

std::int64_t BookingService::create(const NewBooking& in, const BurialCaller& caller) {
    const auto scope = firm_scope(caller.principal);
    std::string firm;
    if (scope) {
        if (in.firm && *in.firm != *scope) {
            invalid_parameter("firm", "a funeral director books for their own firm only");
        }
        firm = *scope;
    } else {
        if (!in.firm || in.firm->empty()) {
            invalid_parameter("firm", "is required when the bereavement team books for a firm");
        }
        firm = *in.firm;
    }
    const auto date = core::parse_iso_date(in.date);
    if (!date) {
        invalid_parameter("date", "must be a date YYYY-MM-DD");
    }
    if (core::days_since_epoch(*date) < core::days_since_epoch(today())) {
        invalid_parameter("date", "is in the past");
    }
    if (core::days_since_epoch(*date) > core::days_since_epoch(today()) + 366) {
        invalid_parameter("date", "is more than a year ahead");
    }
    if (!core::is_working_day(*date)) {
        invalid_parameter("date", in.date + " is not a working day (Monday to Friday, no bank "
                                            "holiday): the cemetery has no burials then");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db); // BEGIN IMMEDIATE: the checks and the hold are one write
    {
        auto c = db->prepare_cached("SELECT 1 FROM cemeteries WHERE id = ?1");
        c.bind(1, in.cemetery_id);
        if (!c.step()) {
            invalid_parameter("cemetery_id", "is not a cemetery");
        }
    }
    const auto times = slot_times(*db, in.cemetery_id, *date);
    if (std::find(times.begin(), times.end(), in.time) == times.end()) {
        std::string list;
        for (const auto& t : times) {
            list += (list.empty() ? "" : ", ") + t;
        }
        invalid_parameter("time", in.time + " is not one of the cemetery's slots (" + list + ")");
    }
    std::optional<std::int64_t> grave_id;
    if (in.grave_number) {
        auto g = db->prepare_cached("SELECT id, grave_type FROM grave_spaces WHERE cemetery_id = "
                                    "?1 AND grave_number = ?2");
        g.bind(1, in.cemetery_id).bind(2, *in.grave_number);
        if (!g.step()) {
            invalid_parameter("grave_number",
                              "the cemetery has no grave '" + in.grave_number->substr(0, 40) + "'");
        }
        grave_id = g.int64(0);
        const std::string type(g.text(1));
        check_grave_open(*db, *grave_id, *date, in.interment_kind);
        if (grave_type_needs_grant(type)) {
            const auto status = grave_status(*db, *grave_id, *date);
            auto a = db->prepare_cached("SELECT gr.deed_number FROM burial_grants gr WHERE "
                                        "gr.grave_id = ?1 AND " +
                                        grant_active_sql("gr", "?2") +
                                        " ORDER BY gr.granted_on DESC LIMIT 1");
            a.bind(1, *grave_id).bind(2, in.date);
            if (!a.step()) {
                const bool expired = status && status->status == "right_expired";
                conflict(expired ? "right_expired" : "no_active_grant",
                         "grave " + *in.grave_number + " is a " + type +
                             " grave with no exclusive right of burial active on " + in.date +
                             (expired ? ": the right has expired" : ""));
            }
            if (!in.deed_number) {
                invalid_parameter("deed_number", "is required for a " + type + " grave");
            }
            if (a.text(0) != *in.deed_number) {
                invalid_parameter("deed_number", "is not the deed of grave " + *in.grave_number);
            }
        }
    } else {
        auto s = db->prepare_cached(
            "SELECT 1 FROM cemetery_sections WHERE id = ?1 AND cemetery_id = ?2");
        s.bind(1, *in.new_section_id).bind(2, in.cemetery_id);
        if (!s.step()) {
            invalid_parameter("new_section_id", "is not a section of the cemetery");
        }
    }
    if (const auto other = holder_of_slot(*db, in.cemetery_id, in.date, in.time)) {
        conflict("slot_taken", "the slot " + in.date + " " + in.time + " is booked already");
    }
    if (grave_id) {
        if (holder_of_grave(*db, *grave_id, in.date)) {
            conflict("grave_booked",
                     "grave " + *in.grave_number + " has another burial booked on " + in.date);
        }
    }
    const std::string by = who_of(caller);
    const std::string now = core::format_utc(core::now_seconds());
    auto st = db->prepare_cached(
        "INSERT INTO burial_bookings (cemetery_id, slot_date, slot_time, firm, forenames, "
        "surname, died_on, age_years, interment_kind, grave_id, deed_number, new_section_id, "
        "new_grave_type, notes, requested_at, requested_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
    st.bind(1, in.cemetery_id).bind(2, in.date).bind(3, in.time).bind(4, firm);
    st.bind(5, in.forenames).bind(6, in.surname).bind(7, in.died_on).bind(8, in.age_years);
    st.bind(9, in.interment_kind).bind(10, grave_id).bind(11, in.deed_number);
    st.bind(12, in.new_section_id).bind(13, in.new_grave_type).bind(14, in.notes);
    st.bind(15, now).bind(16, by).run();
    const std::int64_t id = db->last_insert_rowid();
    append_event(*db, id, "requested", std::nullopt, grave_id, std::nullopt, std::nullopt, by);
    try {
        auto h = db->prepare_cached("INSERT INTO burial_slot_holds (booking_id, cemetery_id, "
                                    "slot_date, slot_time, grave_id) VALUES (?1, ?2, ?3, ?4, ?5)");
        h.bind(1, id).bind(2, in.cemetery_id).bind(3, in.date).bind(4, in.time).bind(5, grave_id);
        h.run();
    } catch (const store::StoreError& e) {
        // The backstop: the checks above run inside BEGIN IMMEDIATE, so this does not happen
        // unless a writer bypassed them.
        if (is_unique_violation(e)) {
            conflict("slot_taken", "the slot or the grave is booked already");
        }
        throw;
    }
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_booking",
                     std::to_string(id), caller.route, caller.client_address);
    tx.commit();
    return id;
}

std::vector<Booking> BookingService::list(const BookingFilter& filter,
                                          const BurialCaller& caller) const {
    const auto firm = firm_scope(caller.principal);
    if (filter.date && !core::parse_iso_date(*filter.date)) {
        invalid_parameter("date", "must be a date YYYY-MM-DD");
    }
    if (filter.status && *filter.status != "requested" && *filter.status != "confirmed" &&
        *filter.status != "refused" && *filter.status != "withdrawn" &&
        *filter.status != "completed") {
        invalid_parameter("status", "must be requested, confirmed, refused, withdrawn or "
                                    "completed");
    }
    auto db = m_pool.acquire();
    auto q =
        db->prepare(booking_columns +
                    " WHERE (?1 IS NULL OR b.firm = ?1) AND (?2 IS NULL OR b.slot_date = ?2) "
                    "AND (?3 IS NULL OR " +
                    status_sql + " = ?3) ORDER BY b.slot_date DESC, b.slot_time, b.id LIMIT 500");
    q.bind(1, firm).bind(2, filter.date).bind(3, filter.status);
    std::vector<Booking> out;
    while (q.step()) {
        out.push_back(read_booking(q));
    }
    return out;
}

Booking BookingService::get(std::int64_t id, const BurialCaller& caller) const {
    const auto firm = firm_scope(caller.principal);
    auto db = m_pool.acquire();
    auto q = db->prepare(booking_columns + " WHERE b.id = ?1");
    q.bind(1, id);
    if (!q.step()) {
        no_such_booking(id);
    }
    Booking b = read_booking(q);
    if (firm && *firm != b.firm) {
        no_such_booking(id);
    }
    auto e = db->prepare("SELECT status, reason, grave_id, visit_id, interment_id, at, by FROM "
                         "burial_booking_events WHERE booking_id = ?1 ORDER BY id");
    e.bind(1, id);
    while (e.step()) {
        BookingEvent ev;
        ev.status = e.text(0);
        ev.reason = e.optional_text(1);
        for (int k = 2; k <= 4; ++k) {
            if (!e.is_null(k)) {
                (k == 2 ? ev.grave_id : k == 3 ? ev.visit_id : ev.interment_id) = e.int64(k);
            }
        }
        ev.at = e.text(5);
        ev.by = e.text(6);
        b.events.push_back(std::move(ev));
    }
    auto d = db->prepare("SELECT id, kind, filename, content_type, size_bytes, sha256, "
                         "uploaded_at, uploaded_by FROM burial_booking_documents WHERE "
                         "booking_id = ?1 ORDER BY id");
    d.bind(1, id);
    while (d.step()) {
        b.documents.push_back({d.int64(0), std::string(d.text(1)), std::string(d.text(2)),
                               std::string(d.text(3)), d.int64(4), std::string(d.text(5)),
                               std::string(d.text(6)), std::string(d.text(7))});
    }
    return b;
}

std::int64_t BookingService::add_document(std::int64_t booking_id,
                                          const std::string& kind,
                                          const DocumentFile& file,
                                          const BurialCaller& caller) {
    const auto firm = firm_scope(caller.principal);
    if (kind != "green_form" && kind != "coroners_order" && kind != "deed" &&
        kind != "owner_consent") {
        invalid_parameter("kind", "must be green_form, coroners_order, deed or owner_consent");
    }
    if (file.body.empty()) {
        invalid_parameter("file", "is required: the document's file");
    }
    if (file.body.size() > booking_document_max_bytes) {
        invalid_parameter("file", "is larger than 10 MB");
    }
    const std::string type = sniff_type(file.body);
    if (type.empty()) {
        invalid_parameter("file", "must be a PDF, JPEG or PNG file");
    }
    if (!file.content_type.empty() && file.content_type != "application/octet-stream" &&
        file.content_type != type) {
        invalid_parameter("file", "says it is " + file.content_type.substr(0, 60) +
                                      " but its bytes are " + type);
    }
    std::string name = file.filename.substr(0, 200);
    for (char& c : name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\' || c == '/') {
            c = '_';
        }
    }
    if (name.empty()) {
        name = kind;
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto row = read_row(*db, booking_id, firm);
    if (row.status != "requested" && row.status != "confirmed") {
        conflict("booking_closed", "booking " + std::to_string(booking_id) + " is " + row.status +
                                       ": no more documents");
    }
    auto st = db->prepare_cached(
        "INSERT INTO burial_booking_documents (booking_id, kind, filename, content_type, "
        "size_bytes, sha256, body, uploaded_at, uploaded_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9)");
    st.bind(1, booking_id).bind(2, kind).bind(3, name).bind(4, type);
    st.bind(5, static_cast<std::int64_t>(file.body.size())).bind(6, core::sha256_hex(file.body));
    st.bind(7, std::span<const unsigned char>(
                   reinterpret_cast<const unsigned char*>(file.body.data()), file.body.size()))
        .bind(8, core::format_utc(core::now_seconds()));
    st.bind(9, who_of(caller)).run();
    const std::int64_t id = db->last_insert_rowid();
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_booking_document",
                     std::to_string(id), caller.route, caller.client_address);
    tx.commit();
    return id;
}

DocumentFile BookingService::document(std::int64_t booking_id,
                                      std::int64_t document_id,
                                      const BurialCaller& caller) const {
    const auto firm = firm_scope(caller.principal);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    (void)read_row(*db, booking_id, firm);
    auto q = db->prepare_cached("SELECT filename, content_type, body FROM "
                                "burial_booking_documents WHERE id = ?1 AND booking_id = ?2");
    q.bind(1, document_id).bind(2, booking_id);
    if (!q.step()) {
        throw DomainError(ErrorCode::not_found,
                          "document " + std::to_string(document_id) + " not found");
    }
    const auto bytes = q.blob(2);
    DocumentFile out{std::string(q.text(0)), std::string(q.text(1)),
                     std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())};
    AuditLog::record(*db, caller.principal, AuditAction::read, "burial_booking_document",
                     std::to_string(document_id), caller.route, caller.client_address);
    tx.commit();
    return out;
}

void BookingService::confirm(std::int64_t id,
                             const std::optional<std::int64_t>& grave_pick,
                             const std::optional<std::string>& crew_asked,
                             const BurialCaller& caller) {
    require_bereavement_record(caller.principal);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto row = read_row(*db, id, std::nullopt);
    if (row.status != "requested") {
        conflict("not_requested",
                 "booking " + std::to_string(id) + " is " + row.status + ", not requested");
    }
    const auto date = *core::parse_iso_date(row.date);
    // The documents: a green form or a coroner's order always; for a private (granted) grave
    // the deed and the owner's consent too.
    std::vector<std::string> have;
    {
        auto q = db->prepare_cached(
            "SELECT DISTINCT kind FROM burial_booking_documents WHERE booking_id = ?1");
        q.bind(1, id);
        while (q.step()) {
            have.emplace_back(q.text(0));
        }
    }
    const auto has = [&](const char* k) {
        return std::find(have.begin(), have.end(), k) != have.end();
    };
    std::vector<std::string> missing;
    if (!has("green_form") && !has("coroners_order")) {
        missing.emplace_back("green_form or coroners_order");
    }
    std::int64_t grave_id = 0;
    if (row.grave_id) {
        grave_id = *row.grave_id;
        if (grave_pick && *grave_pick != grave_id) {
            invalid_parameter("grave_id", "the booking is for an existing grave already");
        }
        auto t = db->prepare_cached("SELECT grave_type FROM grave_spaces WHERE id = ?1");
        t.bind(1, grave_id).step();
        if (grave_type_needs_grant(t.text(0))) {
            for (const char* k : {"deed", "owner_consent"}) {
                if (!has(k)) {
                    missing.emplace_back(k);
                }
            }
        }
    }
    if (!missing.empty()) {
        std::string list;
        for (const auto& m : missing) {
            list += (list.empty() ? "" : ", ") + m;
        }
        throw DomainError(ErrorCode::conflict, "booking " + std::to_string(id) + " lacks: " + list,
                          {{"reason", "missing_document"}, {"missing", list}});
    }
    if (!row.grave_id) {
        if (!grave_pick) {
            invalid_parameter("grave_id", "is required: pick the new grave for this booking");
        }
        grave_id = *grave_pick;
        auto g = db->prepare_cached(
            "SELECT section_id, grave_type FROM grave_spaces WHERE id = ?1 AND cemetery_id = ?2");
        g.bind(1, grave_id).bind(2, row.cemetery_id);
        if (!g.step()) {
            invalid_parameter("grave_id", "is not a grave of the booking's cemetery");
        }
        const auto status = grave_status(*db, grave_id, date);
        if (!status || status->status != "available") {
            conflict("grave_not_available", "grave " + (status ? status->grave_number : "") +
                                                " is " + (status ? status->status : "") +
                                                ", not available for a new grave");
        }
        // A new grave is empty: another live booking of it, any day, has taken it.
        auto held = db->prepare_cached("SELECT slot_date FROM burial_slot_holds WHERE grave_id = "
                                       "?1 AND released_at IS NULL AND booking_id <> ?2");
        held.bind(1, grave_id).bind(2, id);
        if (held.step()) {
            conflict("grave_booked", "grave " + status->grave_number +
                                         " is booked for another burial on " +
                                         std::string(held.text(0)));
        }
        try {
            auto u = db->prepare_cached("UPDATE burial_slot_holds SET grave_id = ?2 WHERE "
                                        "booking_id = ?1 AND released_at IS NULL");
            u.bind(1, id).bind(2, grave_id).run();
        } catch (const store::StoreError& e) {
            if (is_unique_violation(e)) {
                conflict("grave_booked", "the grave is booked already on " + row.date);
            }
            throw;
        }
    } else {
        check_grave_open(*db, grave_id, date, row.interment_kind, id);
    }
    // The grave to dig: on the grounds crew's day, at the street nearest the grave.
    const std::string crew = crew_asked ? *crew_asked : grounds_crew(*db, date).value_or("");
    if (crew.empty()) {
        conflict("no_grounds_crew", "no crew works the grounds: name a crew to dig the grave");
    }
    double e = 0, n = 0;
    {
        auto c = db->prepare_cached("SELECT X(Centroid(geom)), Y(Centroid(geom)) FROM "
                                    "grave_spaces WHERE id = ?1");
        c.bind(1, grave_id).step();
        e = c.real(0);
        n = c.real(1);
    }
    const auto usrn = nearest_street(*db, e, n, 2000);
    if (!usrn) {
        conflict("no_street", "no street within 2 km of the grave for the crew's visit");
    }
    const auto visit = put_one_off_visit(*db, {crew, "dig_grave", date, *usrn});
    append_event(*db, id, "confirmed", std::nullopt, grave_id, visit, std::nullopt, who_of(caller));
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_booking",
                     std::to_string(id), caller.route, caller.client_address);
    tx.commit();
}

void BookingService::refuse(std::int64_t id,
                            const std::string& reason,
                            const BurialCaller& caller) {
    require_bereavement_record(caller.principal);
    if (reason.empty() || reason.size() > 2000) {
        invalid_parameter("reason", "is required (at most 2,000 characters)");
    }
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto row = read_row(*db, id, std::nullopt);
    if (row.status != "requested") {
        conflict("not_requested",
                 "booking " + std::to_string(id) + " is " + row.status + ", not requested");
    }
    auto u = db->prepare_cached("UPDATE burial_slot_holds SET released_at = ?2 WHERE booking_id "
                                "= ?1 AND released_at IS NULL");
    u.bind(1, id).bind(2, core::format_utc(core::now_seconds())).run();
    append_event(*db, id, "refused", reason, std::nullopt, std::nullopt, std::nullopt,
                 who_of(caller));
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_booking",
                     std::to_string(id), caller.route, caller.client_address);
    tx.commit();
}

void BookingService::withdraw(std::int64_t id, const BurialCaller& caller) {
    const auto firm = firm_scope(caller.principal);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    const auto row = read_row(*db, id, firm);
    if (row.status != "requested" && row.status != "confirmed") {
        conflict("booking_closed", "booking " + std::to_string(id) + " is " + row.status +
                                       ": it cannot be withdrawn");
    }
    auto u = db->prepare_cached("UPDATE burial_slot_holds SET released_at = ?2 WHERE booking_id "
                                "= ?1 AND released_at IS NULL");
    u.bind(1, id).bind(2, core::format_utc(core::now_seconds())).run();
    append_event(*db, id, "withdrawn", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                 who_of(caller));
    AuditLog::record(*db, caller.principal, AuditAction::change, "burial_booking",
                     std::to_string(id), caller.route, caller.client_address);
    tx.commit();
}

void complete_booking_in(store::Database& db,
                         std::int64_t booking_id,
                         std::int64_t grave_id,
                         std::int64_t interment_id,
                         const std::string& by) {
    auto q = db.prepare_cached(std::string("SELECT ") + status_sql +
                               ", (SELECT h.grave_id FROM burial_slot_holds h WHERE h.booking_id "
                               "= b.id) FROM burial_bookings b WHERE b.id = ?1");
    q.bind(1, booking_id);
    if (!q.step()) {
        invalid_parameter("booking_id", "no such booking");
    }
    const std::string status(q.text(0));
    if (status != "confirmed" || q.is_null(1) || q.int64(1) != grave_id) {
        throw DomainError(ErrorCode::conflict,
                          "booking " + std::to_string(booking_id) + " is " + status +
                              (status == "confirmed" ? " for another grave" : "") +
                              ": only a confirmed booking of this grave is completed",
                          {{"reason", "booking_not_confirmed"}});
    }
    append_event(db, booking_id, "completed", std::nullopt, grave_id, std::nullopt, interment_id,
                 by);
}

} // namespace wardmap::services
