#include "importers/import_report.hpp"

#include "core/w3c_time.hpp"

#include "geo/geojson_writer.hpp"

namespace wardmap::importers {

void ImportReport::reject(SourcePlace place, std::string reason) {
    ++rejected;
    if (rejections.size() < max_listed) {
        rejections.push_back({std::move(place), std::move(reason)});
    }
}

std::string ImportReport::to_text() const {
    std::string s = "import " + kind + " from " + source + ": " + status + "\n";
    if (!error.empty()) {
        s += "  error: " + error + "\n";
    }
    if (!detail.empty()) {
        s += "  " + detail + "\n";
    }
    s += "  read " + std::to_string(read) + ", inserted " + std::to_string(inserted) +
         ", updated " + std::to_string(updated) + ", deleted " + std::to_string(deleted) +
         ", rejected " + std::to_string(rejected) + ", repaired " + std::to_string(repaired);
    if (counts_changes) {
        s += ", unchanged " + std::to_string(unchanged) + ", retired " + std::to_string(retired);
    }
    s += "\n";
    for (const auto& n : notes) {
        s += "  note: " + n + "\n";
    }
    if (!rejections.empty()) {
        s += "  first rejected rows:\n";
        for (const auto& r : rejections) {
            s += "    " + describe(r.place) + r.reason + "\n";
        }
        if (rejected > static_cast<std::int64_t>(rejections.size())) {
            s += "    ... and " + std::to_string(rejected - std::ssize(rejections)) + " more\n";
        }
    }
    if (!sha256.empty()) {
        s += "  sha256 " + sha256 + "\n";
    }
    return s;
}

std::string ImportReport::to_json() const {
    std::string out;
    geo::JsonObjectWriter obj(out);
    obj.field("kind", kind)
        .field("source", source)
        .field("sha256", sha256)
        .field("started_at", started_at)
        .field("finished_at", finished_at)
        .field("status", status)
        .field("ok", ok)
        .field("error", error)
        .field("detail", detail)
        .field("read", read)
        .field("inserted", inserted)
        .field("updated", updated)
        .field("deleted", deleted)
        .field("rejected", rejected)
        .field("repaired", repaired)
        .field("unchanged", unchanged)
        .field("retired", retired);
    std::string list = "[";
    for (const auto& r : rejections) {
        if (list.size() > 1) {
            list += ',';
        }
        geo::JsonObjectWriter item(list);
        item.field("file", r.place.file)
            .field(r.place.is_csv_line ? "line" : "feature", r.place.line)
            .field("field", r.place.field)
            .field("reason", r.reason);
        item.close();
    }
    list += ']';
    obj.raw_field("rejections", list);
    std::string note_list = "[";
    for (const auto& n : notes) {
        if (note_list.size() > 1) {
            note_list += ',';
        }
        geo::append_json_string(note_list, n);
    }
    note_list += ']';
    obj.raw_field("notes", note_list);
    obj.close();
    out += '\n';
    return out;
}

std::string utc_now() {
    return core::format_utc(core::now_seconds());
}

} // namespace wardmap::importers
