// `wardmap import councillors`: ward -> councillors and parties, replacing the councillors of the
// wards the file names. This file has the table form (CSV through GDAL, one row per councillor)
// and the store; councillor_json.cpp reads the JSON form.

#include "importers/councillors.hpp"
#include "importers/import_kinds.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace wardmap::importers {

namespace {

bool has_json_extension(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".json";
}

int field_or_default(const GdalSource& source,
                     const std::string& option_value,
                     const char* option,
                     const std::vector<std::string>& defaults) {
    const std::string name =
        !option_value.empty() ? option_value : source.find_field(defaults).value_or(defaults[0]);
    return source.require_field(name, option);
}

int optional_field(const GdalSource& source, const std::vector<std::string>& defaults) {
    const auto found = source.find_field(defaults);
    return found ? source.field_index(*found) : -1;
}

} // namespace

std::string check_councillor_options(const ImportOptions& o) {
    if (has_json_extension(o.source.path) && !o.source.layer.empty()) {
        return "--layer applies to files GDAL reads; a JSON councillors file has no layers";
    }
    if (has_json_extension(o.source.path) &&
        !(o.ward_field.empty() && o.councillor_field.empty() && o.party_field.empty())) {
        return "--ward-field, --councillor-field and --party-field apply to CSV files; a JSON "
               "file has fixed members (name, code, councillors, councillor_ids, parties)";
    }
    return {};
}

bool is_councillors_json(const ImportOptions& o) {
    return has_json_extension(o.source.path);
}

void import_councillors(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;
    const int ward_field = field_or_default(source, o.ward_field, "--ward-field",
                                            {"ward_code", "ward", "ward_name", "code"});
    const int name_field = field_or_default(source, o.councillor_field, "--councillor-field",
                                            {"councillor", "councillor_name", "name"});
    const int party_field =
        field_or_default(source, o.party_field, "--party-field", {"party", "party_name"});
    const int ref_field = optional_field(source, {"councillor_id", "councillor_ref", "id", "ref"});
    const int email_field = optional_field(source, {"email", "email_address"});
    const WardMatcher wards(ctx.db, o.set_label, source.place(0));

    std::vector<WardCouncillors> file;
    std::map<std::string, std::size_t> ward_index;                    // code -> index in file
    std::map<std::pair<std::string, std::string>, std::int64_t> seen; // (code, name) -> line
    auto optional_text = [&](const SourceRow& row, int field) -> std::optional<std::string> {
        if (field < 0) {
            return std::nullopt;
        }
        auto s = source.text(row, field);
        return s.empty() ? std::nullopt : std::optional(std::move(s));
    };
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::string ward = source.text(row, ward_field);
            Councillor c{source.text(row, name_field), optional_text(row, party_field),
                         optional_text(row, ref_field), optional_text(row, email_field)};
            if (ward.empty()) {
                report.reject(source.place(row, ward_field), "empty ward");
                continue;
            }
            const auto code = wards.find(ward);
            if (!code) {
                report.reject(source.place(row, ward_field),
                              "unknown ward '" + ward + "': no ward of boundary set '" +
                                  wards.set_label() + "' has this code or name");
                continue;
            }
            if (c.name.empty()) {
                report.reject(source.place(row, name_field), "empty councillor name");
                continue;
            }
            const auto key = std::pair(*code, normalise_ward_name(c.name));
            if (auto [it, fresh] = seen.emplace(key, row.line); !fresh) {
                report.reject(source.place(row, name_field),
                              "councillor '" + c.name + "' is listed twice for ward " + *code +
                                  " (first at " + std::to_string(it->second) + ")");
                continue;
            }
            auto [it, fresh] = ward_index.emplace(*code, file.size());
            if (fresh) {
                file.push_back({*code, {}});
            }
            file[it->second].councillors.push_back(std::move(c));
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        }
    }
    replace_councillors(ctx.db, wards, file, report);
}

void replace_councillors(store::Database& db,
                         const WardMatcher& wards,
                         const std::vector<WardCouncillors>& file,
                         ImportReport& report) {
    auto old = db.prepare(
        "SELECT name FROM councillors WHERE boundary_set_id = ? AND ward_code = ? ORDER BY id");
    auto remove = db.prepare("DELETE FROM councillors WHERE boundary_set_id = ? AND ward_code = ?");
    auto insert =
        db.prepare("INSERT INTO councillors (boundary_set_id, ward_code, sort_order, name, party, "
                   "councillor_ref, email) VALUES (?, ?, ?, ?, ?, ?, ?)");
    std::int64_t count = 0;
    for (const auto& ward : file) {
        std::set<std::string> before;
        old.bind(1, wards.set_id()).bind(2, ward.ward_code);
        while (old.step()) {
            before.emplace(old.text(0));
        }
        old.reset();
        remove.bind(1, wards.set_id()).bind(2, ward.ward_code);
        remove.run();
        int order = 0;
        for (const auto& c : ward.councillors) {
            insert.bind(1, wards.set_id()).bind(2, ward.ward_code).bind(3, ++order);
            insert.bind(4, c.name).bind(5, c.party).bind(6, c.ref).bind(7, c.email);
            insert.run();
            ++(before.erase(c.name) > 0 ? report.updated : report.inserted);
            ++count;
        }
        report.deleted += std::ssize(before);
    }
    report.detail = std::to_string(count) + (count == 1 ? " councillor in " : " councillors in ") +
                    std::to_string(file.size()) + (file.size() == 1 ? " ward" : " wards") +
                    " of boundary set " + wards.set_label();
}

} // namespace wardmap::importers
