#include "server/http/streetscene/schedule_ics.hpp"

#include <cstdio>

namespace wardmap::http {

namespace {

std::string ics_date(const core::Date& d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
    return buf;
}

/// A UID may hold only what a property value can: letters, digits, '-', '.', '@'.
std::string uid_safe(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '@' || c == '_';
        out += ok ? c : '_';
    }
    return out;
}

} // namespace

std::string ics_escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case ';':
            out += "\\;";
            break;
        case ',':
            out += "\\,";
            break;
        case '\r':
            if (i + 1 < text.size() && text[i + 1] == '\n') {
                ++i;
            }
            out += "\\n";
            break;
        case '\n':
            out += "\\n";
            break;
        default:
            // Other control characters are not allowed in TEXT (RFC 5545 §3.3.11).
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                out += ' ';
            } else {
                out += c;
            }
        }
    }
    return out;
}

std::string ics_fold_line(std::string_view line) {
    std::string out;
    out.reserve(line.size() + line.size() / 70 * 3 + 2);
    std::size_t width = 0; // octets on the current physical line
    for (std::size_t i = 0; i < line.size();) {
        // The whole UTF-8 sequence starting at i goes on one line.
        std::size_t n = 1;
        while (i + n < line.size() && (static_cast<unsigned char>(line[i + n]) & 0xC0) == 0x80) {
            ++n;
        }
        if (width + n > 75) {
            out += "\r\n ";
            width = 1;
        }
        out.append(line.substr(i, n));
        width += n;
        i += n;
    }
    out += "\r\n";
    return out;
}

std::string schedule_ics(const services::PlaceSchedule& schedule,
                         const std::string& uid_domain,
                         const std::string& dtstamp,
                         const std::string& council) {
    std::string out;
    const auto line = [&out](std::string_view l) { out += ics_fold_line(l); };
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//wardmap//streetscene schedules//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    const std::string place = schedule.label.empty()
                                  ? schedule.field + " " + std::to_string(schedule.id)
                                  : schedule.label;
    line("X-WR-CALNAME:" +
         ics_escape_text(council + ": collections and street services, " + place));
    line("X-WR-TIMEZONE:Europe/London");
    line("REFRESH-INTERVAL;VALUE=DURATION:P1D");
    line("X-PUBLISHED-TTL:P1D");
    for (const auto& activity : schedule.activities) {
        for (const auto& d : activity.dates) {
            line("BEGIN:VEVENT");
            line("UID:" +
                 uid_safe(d.uid + "-" + activity.activity + "-" + schedule.field + "-" +
                          std::to_string(schedule.id)) +
                 "@" + uid_safe(uid_domain));
            line("DTSTAMP:" + dtstamp);
            line("DTSTART;VALUE=DATE:" + ics_date(d.date));
            line("DTEND;VALUE=DATE:" + ics_date(services::add_days(d.date, 1)));
            line("SUMMARY:" + ics_escape_text(activity.name));
            std::string description = d.round_name + " (" + d.round_code + ")";
            if (d.moved_from) {
                description += "; moved from " + d.moved_from->iso() + " (bank holiday)";
            }
            if (d.status != "planned") {
                description += "; " + d.status;
            }
            line("DESCRIPTION:" + ics_escape_text(description));
            line("CATEGORIES:" + ics_escape_text(activity.kind));
            line("TRANSP:TRANSPARENT");
            line("STATUS:CONFIRMED");
            line("END:VEVENT");
        }
    }
    line("END:VCALENDAR");
    return out;
}

} // namespace wardmap::http
