#include "importers/address_rows.hpp"

#include "geo/postcode.hpp"
#include "importers/gazetteer_keys.hpp"
#include "importers/import_kinds.hpp"

#include <cctype>

namespace wardmap::importers {

namespace {

constexpr std::size_t max_class = 6;

} // namespace

std::string check_address_options(const ImportOptions& o) {
    if (o.x_field.empty() != o.y_field.empty()) {
        return "give both --x-field and --y-field, or neither";
    }
    const bool parts = !o.saon_field.empty() || !o.paon_field.empty() || !o.street_field.empty();
    if (!o.address_field.empty() && parts) {
        return "give --address-field (single-line text) or the parts (--saon-field, "
               "--paon-field, --street-field), not both";
    }
    return {};
}

AddressColumns map_address_columns(GdalSource& source, const ImportOptions& o) {
    AddressColumns c;
    c.uprn = source.require_field(
        !o.uprn_field.empty() ? o.uprn_field : source.find_field({"UPRN"}).value_or("UPRN"),
        "--uprn-field");
    const bool parts_given =
        !o.saon_field.empty() || !o.paon_field.empty() || !o.street_field.empty();
    c.address = parts_given ? -1
                            : source.optional_field(o.address_field, "--address-field",
                                                    {"address", "full_address", "single_line",
                                                     "single_line_address", "address_line"});
    if (c.address < 0) {
        c.saon = source.optional_field(o.saon_field, "--saon-field", {"saon", "sao"});
        c.paon = source.optional_field(o.paon_field, "--paon-field",
                                       {"paon", "pao", "house_number", "building"});
        c.street = source.optional_field(o.street_field, "--street-field",
                                         {"street", "street_name", "street_description"});
        c.locality = source.optional_field(o.locality_field, "--locality-field", {"locality"});
        if (c.paon < 0 && c.street < 0) {
            throw ImportError(source.place(0),
                              "no address columns: give --address-field (single-line text) or "
                              "--paon-field/--street-field (parts); the file has " +
                                  std::to_string(source.field_names().size()) + " fields");
        }
    }
    // The town is a part of its own in both layouts (a single line's last part otherwise).
    c.town =
        source.optional_field(o.town_field, "--town-field", {"town", "post_town", "town_name"});
    c.postcode = source.optional_field(o.postcode_field, "--postcode-field",
                                       {"postcode", "pcds", "post_code", "PC"});
    c.usrn = source.optional_field(o.usrn_field, "--usrn-field", {"USRN"});
    c.classification = source.optional_field(o.classification_field, "--classification-field",
                                             {"classification", "class", "blpu_class"});
    // A CSV carries its position in two columns; other formats in their geometry.
    if (source.is_csv() || !o.x_field.empty()) {
        c.x = source.require_field(
            !o.x_field.empty() ? o.x_field
                               : source
                                     .find_field({"x", "easting", "Eastings", "X_COORDINATE", "lon",
                                                  "longitude", "lng"})
                                     .value_or("x"),
            "--x-field");
        c.y = source.require_field(
            !o.y_field.empty()
                ? o.y_field
                : source
                      .find_field({"y", "northing", "Northings", "Y_COORDINATE", "lat", "latitude"})
                      .value_or("y"),
            "--y-field");
    } else if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry and no --x-field/--y-field");
    }
    return c;
}

std::int64_t read_uprn(const GdalSource& source, const SourceRow& row, const AddressColumns& c) {
    const std::string raw = source.text(row, c.uprn);
    const auto uprn = parse_key(raw, max_uprn);
    if (!uprn) {
        throw ImportError(source.place(row, c.uprn),
                          raw.empty() ? "no UPRN"
                                      : "'" + raw +
                                            "' is not a UPRN (a whole number from 1 to "
                                            "999999999999)");
    }
    return *uprn;
}

AddressRow read_address_row(const GdalSource& source,
                            const SourceRow& row,
                            const AddressColumns& c,
                            std::int64_t uprn,
                            SourceCrs crs,
                            const geo::BngTransform& transform) {
    const auto value = [&](int field) {
        return field >= 0 ? source.text(row, field) : std::string();
    };
    AddressRow out;
    out.uprn = uprn;

    // The address.
    int empty_field = c.address;
    if (c.address >= 0) {
        out.parts = parse_single_line(value(c.address));
    } else {
        out.parts.sao = parse_addressable_object(value(c.saon));
        out.parts.pao = parse_addressable_object(value(c.paon));
        out.parts.street = value(c.street);
        out.parts.locality = value(c.locality);
        empty_field = c.paon >= 0 ? c.paon : c.street;
    }
    if (c.town >= 0) {
        if (auto town = value(c.town); !town.empty()) {
            out.parts.town = std::move(town);
        }
    }
    if (out.parts.sao.empty() && out.parts.pao.empty() && out.parts.street.empty()) {
        throw ImportError(source.place(row, empty_field), "empty address");
    }
    if (const std::string pc_raw = value(c.postcode); !pc_raw.empty()) {
        const auto pc = geo::normalise_postcode(pc_raw);
        if (!pc) {
            throw ImportError(source.place(row, c.postcode),
                              "'" + pc_raw + "' is not a UK postcode");
        }
        out.parts.postcode = *pc;
    }
    if (const std::string usrn_raw = value(c.usrn); !usrn_raw.empty()) {
        out.usrn = parse_key(usrn_raw, max_usrn);
        if (!out.usrn) {
            throw ImportError(source.place(row, c.usrn),
                              "'" + usrn_raw +
                                  "' is not a USRN (a whole number from 1 to 99999999)");
        }
    }
    out.classification = value(c.classification);
    for (auto& ch : out.classification) {
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    if (out.classification.size() > max_class) {
        throw ImportError(source.place(row, c.classification),
                          "'" + out.classification + "' is not a BLPU class (1 to 6 characters)");
    }

    // The position.
    double x = 0;
    double y = 0;
    out.position_field = c.x;
    if (c.x >= 0) {
        if (value(c.x).empty() || value(c.y).empty()) {
            throw ImportError(source.place(row, c.x), "no position (x or y is empty)");
        }
        x = source.number(row, c.x);
        y = source.number(row, c.y);
    } else {
        const OGRGeometry* g = row.feature->GetGeometryRef();
        if (g == nullptr || g->IsEmpty()) {
            throw ImportError(source.place(row.line, "geometry"), "no geometry");
        }
        if (wkbFlatten(g->getGeometryType()) != wkbPoint) {
            throw ImportError(source.place(row.line, "geometry"),
                              std::string("a ") + g->getGeometryName() +
                                  ", not a point (a property is a point)");
        }
        x = g->toPoint()->getX();
        y = g->toPoint()->getY();
    }
    out.at = crs == SourceCrs::bng ? geo::EastNorth{x, y} : transform.to_bng({x, y});
    return out;
}

} // namespace wardmap::importers
