// The demo's bookings of burials (booking_service.hpp): made through BookingService as the
// demo funeral director and bereavement officer would, so they obey every rule.
#include "core/working_days.hpp"

#include "server/services/access/accounts.hpp"
#include "server/services/burials/booking_service.hpp"

#include <stdexcept>

namespace wardmap::services {

namespace {

Principal demo_person(store::Database& db, const std::string& email) {
    auto q = db.prepare("SELECT id, name FROM people WHERE email = ?1");
    q.bind(1, email);
    if (!q.step()) {
        throw std::runtime_error("demo bookings: no account " + email);
    }
    Principal p;
    p.kind = Principal::Kind::person;
    p.id = q.int64(0);
    p.name = q.text(1);
    p.grants = load_grants(db, p.id);
    return p;
}

// A tiny, valid-looking PDF: the demo's scanned forms.
const std::string demo_pdf = "%PDF-1.4\n% wardmap demo document (synthetic)\n1 0 obj << >> "
                             "endobj\ntrailer << >>\n%%EOF\n";

} // namespace

DemoBookingsSummary generate_demo_bookings(store::ConnectionPool& pool, const core::Date& date) {
    DemoBookingsSummary summary;
    Principal director, officer;
    std::int64_t cemetery = 0, section = 0;
    std::string grave_number, deed;
    std::vector<std::int64_t> available;
    const core::Date day1 = core::add_working_days(date, 1);
    const core::Date day2 = core::add_working_days(date, 2);
    const core::Date day3 = core::add_working_days(date, 3);
    {
        auto db = pool.acquire();
        director = demo_person(*db, "funeral.director@demo.wardmap.test");
        officer = demo_person(*db, "bereavement@demo.wardmap.test");
        auto c = db->prepare("SELECT c.id, (SELECT s.id FROM cemetery_sections s WHERE "
                             "s.cemetery_id = c.id ORDER BY s.id LIMIT 1) FROM cemeteries c "
                             "ORDER BY c.id LIMIT 1");
        if (!c.step() || c.is_null(1)) {
            return summary; // a borough without cemeteries has no bookings
        }
        cemetery = c.int64(0);
        section = c.int64(1);
        // A private grave reserved by an active grant (a reopening with its deed), and
        // available graves for new burials: the first by id.
        auto g = db->prepare("SELECT id, grave_number, grave_type, max_coffins FROM grave_spaces "
                             "WHERE cemetery_id = ?1 ORDER BY id");
        g.bind(1, cemetery);
        while (g.step() && (grave_number.empty() || available.size() < 2)) {
            const auto status = grave_status(*db, g.int64(0), day1);
            if (!status) {
                continue;
            }
            if (grave_number.empty() && status->status == "reserved" && g.text(2) == "private") {
                auto d = db->prepare("SELECT deed_number FROM burial_grants WHERE grave_id = ?1 "
                                     "ORDER BY granted_on DESC LIMIT 1");
                d.bind(1, g.int64(0));
                if (d.step()) {
                    grave_number = g.text(1);
                    deed = d.text(0);
                }
            } else if (status->status == "available" && available.size() < 2) {
                available.push_back(g.int64(0));
            }
        }
    }
    BookingService bookings(pool, [date] { return date; });
    const BurialCaller as_director{director, "demo-data", "127.0.0.1"};
    const BurialCaller as_officer{officer, "demo-data", "127.0.0.1"};
    const auto new_grave = [&](const core::Date& day, const char* time, const char* surname) {
        NewBooking b;
        b.cemetery_id = cemetery;
        b.date = day.iso();
        b.time = time;
        b.forenames = "Demo";
        b.surname = surname;
        b.died_on = date.iso();
        b.age_years = 84;
        b.new_section_id = section;
        b.new_grave_type = "private";
        return bookings.create(b, as_director);
    };
    // Requested: a reopening of a reserved grave with its deed, documents uploaded.
    if (!grave_number.empty()) {
        NewBooking b;
        b.cemetery_id = cemetery;
        b.date = day1.iso();
        b.time = "11:30";
        b.forenames = "Demo";
        b.surname = "Reopening";
        b.died_on = date.iso();
        b.age_years = 79;
        b.grave_number = grave_number;
        b.deed_number = deed;
        const auto id = bookings.create(b, as_director);
        bookings.add_document(id, "green_form", {"green-form.pdf", "application/pdf", demo_pdf},
                              as_director);
        bookings.add_document(id, "deed", {"deed.pdf", "application/pdf", demo_pdf}, as_director);
        ++summary.requested;
    }
    // Requested: a new grave, no documents yet.
    new_grave(day2, "09:30", "Awaiting");
    ++summary.requested;
    // Confirmed: a new grave picked by the officer, its grave dug by the grounds crew.
    if (!available.empty()) {
        const auto id = new_grave(day1, "09:30", "Confirmed");
        bookings.add_document(id, "green_form", {"green-form.pdf", "application/pdf", demo_pdf},
                              as_director);
        bookings.confirm(id, available.front(), std::nullopt, as_officer);
        ++summary.confirmed;
    }
    // Refused and withdrawn.
    bookings.refuse(new_grave(day3, "10:30", "Refused"),
                    "The green form is not signed by the registrar.", as_officer);
    ++summary.refused;
    bookings.withdraw(new_grave(day3, "13:30", "Withdrawn"), as_director);
    ++summary.withdrawn;
    return summary;
}

} // namespace wardmap::services
