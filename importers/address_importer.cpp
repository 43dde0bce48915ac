// `wardmap import addresses`: any point file of properties with a field mapping (UPRN, address
// parts or single-line text, postcode) -> properties and one address each, written through the
// GazetteerWriter so the address search index stays in step. Each UPRN's address has the LPI
// key "ADDR:<UPRN>", so importing the file again updates in place (and changes nothing when the
// file has not changed). A property the LLPG already holds keeps its BLPU state and parent.

#include "geo/errors.hpp"
#include "importers/address_rows.hpp"
#include "importers/gazetteer_keys.hpp"
#include "importers/gazetteer_writer.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <map>

namespace wardmap::importers {

void import_addresses(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const AddressColumns columns = map_address_columns(source, ctx.options);
    const SourceCrs crs = source.crs();
    const auto position_place = [&](const SourceRow& row) {
        return columns.x >= 0 ? source.place(row, columns.x) : source.place(row.line, "geometry");
    };

    CouncilExtent extent(ctx.db, ctx.options.bbox);
    auto& geos = geo::this_thread_geos();
    GazetteerWriter writer(ctx.db, ctx.transform);
    auto stored = ctx.db.prepare(
        "SELECT logical_status, blpu_state, parent_uprn FROM properties WHERE uprn = ?");
    std::map<std::int64_t, std::int64_t> seen; // uprn -> first line
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::int64_t uprn = read_uprn(source, row, columns);
            if (auto [it, fresh] = seen.emplace(uprn, row.line); !fresh) {
                report.reject(source.place(row, columns.uprn),
                              "duplicate UPRN " + std::to_string(uprn) + " (first at " +
                                  std::to_string(it->second) + ")");
                continue;
            }
            const AddressRow r = read_address_row(source, row, columns, uprn, crs, ctx.transform);
            auto point = geos.point(r.at.easting, r.at.northing);
            if (!extent.intersects(point.get())) {
                report.reject(position_place(row),
                              "outside the council's extent (" + extent.description() + ")");
                continue;
            }

            PropertyData p;
            p.uprn = uprn;
            p.classification = r.classification;
            p.at = r.at;
            stored.bind(1, uprn);
            if (stored.step()) { // keep what the LLPG knows and this file does not
                p.logical_status = static_cast<int>(stored.int64(0));
                if (!stored.is_null(1)) {
                    p.blpu_state = static_cast<int>(stored.int64(1));
                }
                if (!stored.is_null(2)) {
                    p.parent_uprn = stored.int64(2);
                }
            }
            stored.reset();
            const Change property = writer.put_property(p);

            AddressData a;
            a.uprn = uprn;
            a.lpi_key = "ADDR:" + std::to_string(uprn);
            a.sao = r.parts.sao;
            a.pao = r.parts.pao;
            a.usrn = r.usrn;
            a.postcode = r.parts.postcode;
            a.post_town = r.parts.town;
            a.street = r.parts.street;
            a.locality = r.parts.locality;
            const Change address = writer.put_address(a);
            if (property == Change::inserted || address == Change::inserted) {
                ++(property == Change::inserted ? report.inserted : report.updated);
            } else if (property == Change::updated || address == Change::updated) {
                ++report.updated;
            }
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(position_place(row), e.what());
        }
    }
    writer.finish();
    if (writer.streets_missing() > 0) {
        report.notes.push_back(std::to_string(writer.streets_missing()) +
                               " address(es) name a USRN the store does not have; they keep the "
                               "file's street text");
    }
    if (report.read > 0 && report.rejected == 0 && report.inserted + report.updated == 0) {
        report.notes.push_back("every address is as the store has it already; nothing changed");
    }
}

} // namespace wardmap::importers
