// `wardmap import empty-properties FILE`: the council's list of empty homes (a CSV or any table
// GDAL reads) into the housing register, matched by UPRN: a new UPRN is registered, a known one
// updated where the file differs, and nothing is deleted. Column names as
// empty_property_columns() lists them, or `--map NAME=FIELD`. A row whose UPRN is not in the
// gazetteer, or with a bad value, is rejected with file, line and field; all or nothing unless
// --skip-bad. The owner's contact details go to empty_property_owners only (personal data).
// The position is the gazetteer property's: a geometry or x/y columns in the file are not read.
// docs/housing.md, "Importing the register".

#include "importers/empty_property_rows.hpp"
#include "importers/import_kinds.hpp"

#include <algorithm>
#include <map>

namespace wardmap::importers {

namespace {

/// The column a canonical field comes from: --map NAME=FIELD, else the first alias present
/// (as burial_importer.cpp); -1 when none (ImportError when `required`).
int column_for(const GdalSource& source, const ImportOptions& o, const EmptyPropertyColumn& c) {
    const std::string name = c.name;
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq != std::string::npos && m.substr(0, eq) == name) {
            return source.require_field(m.substr(eq + 1), "--map " + name);
        }
    }
    for (const auto& a : c.aliases) {
        if (const int i = source.field_index(a); i >= 0) {
            return i;
        }
    }
    if (c.required) {
        std::string list;
        for (const auto& a : c.aliases) {
            list += (list.empty() ? "" : ", ") + a;
        }
        throw ImportError(source.place(0), "no " + name + " column (" + list +
                                               "); name it with --map " + name + "=FIELD");
    }
    return -1;
}

struct Stored {
    std::int64_t id = 0;
    std::string source, empty_since, risk, status;
    bool furnished = false;
    std::optional<std::string> notes;
};

} // namespace

std::string check_empty_property_options(const ImportOptions& o) {
    for (const auto& m : o.field_map) {
        const auto eq = m.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
            return "--map takes NAME=FIELD, not '" + m + "'";
        }
        const auto& columns = empty_property_columns();
        if (std::none_of(columns.begin(), columns.end(),
                         [&](const auto& c) { return m.substr(0, eq) == c.name; })) {
            std::string list;
            for (const auto& c : columns) {
                list += (list.empty() ? "" : ", ") + std::string(c.name);
            }
            return "--map " + m.substr(0, eq) + ": not a field of this kind (" + list + ")";
        }
    }
    return {};
}

void import_empty_properties(ImportContext& ctx) {
    auto& source = ctx.source;
    std::vector<std::pair<const EmptyPropertyColumn*, int>> columns;
    for (const auto& c : empty_property_columns()) {
        columns.emplace_back(&c, column_for(source, ctx.options, c));
    }
    const auto place_of = [&](const SourceRow& row, const std::string& field) {
        for (const auto& [c, i] : columns) {
            if (field == c->name && i >= 0) {
                return source.place(row, i);
            }
        }
        return source.place(row.line, field);
    };
    const std::string now = ctx.report.started_at;
    const std::string today = now.substr(0, 10);
    const std::string by = "import empty-properties " + source.path().filename().string();
    auto in_gazetteer = ctx.db.prepare_cached("SELECT 1 FROM properties WHERE uprn = ?1");
    auto find = ctx.db.prepare_cached(
        "SELECT e.id, e.source, e.empty_since, e.furnished, e.risk, e.notes, (SELECT l.status "
        "FROM empty_property_status_log l WHERE l.property_id = e.id ORDER BY l.id DESC LIMIT "
        "1) FROM empty_properties e WHERE e.uprn = ?1");
    auto insert = ctx.db.prepare_cached(
        "INSERT INTO empty_properties (uprn, source, empty_since, registered_on, furnished, risk, "
        "notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)");
    auto update = ctx.db.prepare_cached(
        "UPDATE empty_properties SET source = ?2, empty_since = ?3, furnished = ?4, risk = ?5, "
        "notes = ?6, updated_at = ?7 WHERE id = ?1");
    auto log = ctx.db.prepare_cached(
        "INSERT INTO empty_property_status_log (property_id, status, effective_on, recorded_at, "
        "person_id, person_name, note) VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6)");
    auto owner_same = ctx.db.prepare_cached(
        "SELECT 1 FROM empty_property_owners WHERE property_id = ?1 AND name IS ?2 AND address "
        "IS ?3 AND phone IS ?4 AND email IS ?5");
    auto owner = ctx.db.prepare_cached(
        "INSERT INTO empty_property_owners (property_id, name, address, phone, email, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (property_id) DO UPDATE SET "
        "name = excluded.name, address = excluded.address, phone = excluded.phone, email = "
        "excluded.email, updated_at = excluded.updated_at");
    ctx.report.detail = "empty properties matched by UPRN";
    ctx.report.counts_changes = true;
    std::map<std::int64_t, std::int64_t> seen; // UPRN -> line
    SourceRow row;
    while (source.next(row)) {
        ++ctx.report.read;
        ctx.progress.update(ctx.report.read);
        try {
            EmptyPropertyFields fields;
            for (const auto& [c, i] : columns) {
                if (i >= 0) {
                    fields.emplace(c->name, source.text(row, i));
                }
            }
            std::vector<RowProblem> problems;
            const auto r = parse_empty_property_row(fields, today, problems);
            if (!r) {
                // Every problem is reported; the first is the row's rejection, the rest notes.
                for (std::size_t k = 1; k < problems.size() && ctx.report.notes.size() < 50; ++k) {
                    ctx.report.notes.push_back(describe(place_of(row, problems[k].field)) +
                                               problems[k].reason);
                }
                throw ImportError(place_of(row, problems.front().field), problems.front().reason);
            }
            const auto uprn = std::to_string(r->uprn);
            if (const auto [it, fresh] = seen.emplace(r->uprn, row.line); !fresh) {
                throw ImportError(place_of(row, "uprn"), "UPRN " + uprn + " is on line " +
                                                             std::to_string(it->second) +
                                                             " already");
            }
            in_gazetteer.bind(1, r->uprn);
            const bool known_property = in_gazetteer.step();
            in_gazetteer.reset();
            if (!known_property) {
                throw ImportError(place_of(row, "uprn"),
                                  "UPRN " + uprn + " is not a property of the gazetteer");
            }
            find.bind(1, r->uprn);
            std::optional<Stored> stored;
            if (find.step()) {
                stored = Stored{find.int64(0),
                                std::string(find.text(1)),
                                std::string(find.text(2)),
                                std::string(find.text(4)),
                                find.optional_text(6).value_or(""),
                                find.int64(3) != 0,
                                find.optional_text(5)};
            }
            find.reset();
            bool changed = false;
            std::int64_t id = 0;
            if (!stored) {
                insert.bind(1, r->uprn).bind(2, r->source).bind(3, r->empty_since).bind(4, today);
                insert.bind(5, r->furnished ? 1 : 0)
                    .bind(6, r->risk)
                    .bind(7, r->notes)
                    .bind(8, now);
                insert.run();
                id = ctx.db.last_insert_rowid();
                log.bind(1, id).bind(2, r->status.value_or("monitoring")).bind(3, today);
                log.bind(4, now).bind(5, by).bind(6, "registered");
                log.run();
                ++ctx.report.inserted;
            } else {
                id = stored->id;
                // A blank notes cell keeps the notes held.
                const auto notes = r->notes ? r->notes : stored->notes;
                if (stored->source != r->source || stored->empty_since != r->empty_since ||
                    stored->furnished != r->furnished || stored->risk != r->risk ||
                    stored->notes != notes) {
                    update.bind(1, id).bind(2, r->source).bind(3, r->empty_since);
                    update.bind(4, r->furnished ? 1 : 0).bind(5, r->risk).bind(6, notes);
                    update.bind(7, now);
                    update.run();
                    changed = true;
                }
                if (r->status && *r->status != stored->status) {
                    log.bind(1, id).bind(2, *r->status).bind(3, today).bind(4, now).bind(5, by);
                    log.bind(6, "import");
                    log.run();
                    changed = true;
                }
            }
            // The owner: replaced when the row names any of it; a row with none keeps it.
            if (r->has_owner()) {
                owner_same.bind(1, id).bind(2, r->owner_name).bind(3, r->owner_address);
                owner_same.bind(4, r->owner_phone).bind(5, r->owner_email);
                const bool same = owner_same.step();
                owner_same.reset();
                if (!same) {
                    owner.bind(1, id).bind(2, r->owner_name).bind(3, r->owner_address);
                    owner.bind(4, r->owner_phone).bind(5, r->owner_email).bind(6, now);
                    owner.run();
                    changed = changed || stored.has_value();
                }
            }
            if (stored) {
                ++(changed ? ctx.report.updated : ctx.report.unchanged);
            }
        } catch (const ImportError& e) {
            ctx.report.reject(e.place(), e.reason());
        }
    }
}

} // namespace wardmap::importers
