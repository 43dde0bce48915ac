// `wardmap import addresses`: any point file of properties with a field mapping (UPRN, address
// parts or single-line text, postcode) -> properties and one address each, written through the
// GazetteerWriter so the address search index stays in step. Each UPRN's address has the LPI
// key "ADDR:<UPRN>", so importing the file again updates in place (and changes nothing when the
// file has not changed). A property the LLPG already holds keeps its BLPU state and parent.

#include "geo/errors.hpp"
#include "geo/postcode.hpp"
#include "importers/gazetteer_keys.hpp"
#include "importers/gazetteer_writer.hpp"
#include "importers/import_geometry.hpp"
#include "importers/import_kinds.hpp"

#include <cctype>
#include <charconv>
#include <map>

namespace wardmap::importers {

namespace {

constexpr std::size_t max_class = 6;

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t to) {
    std::string s;
    for (std::size_t i = from; i < to; ++i) {
        s += (s.empty() ? "" : ", ") + parts[i];
    }
    return s;
}

/// A number range alone ("12", "12A", "2-4").
bool is_number_range(const std::string& s) {
    const auto o = parse_addressable_object(s);
    return o.start_number.has_value() && o.text.empty();
}

/// The parts of a single-line address (without its postcode): "Flat 2, Rose Court, 12 Market
/// Street, Astley Village, Chorley". The last part is the town when two or more remain; the
/// first part that starts with a number range ("12 Market Street", or "12" then "Market
/// Street") gives the PAO number and the street; a part before it is the PAO text, two or more
/// are the SAO then the PAO text; parts between the street and the town are the locality.
/// Without a number, the first part is the PAO ("Rose Cottage") and the second the street.
AddressParts split_single_line(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto comma = text.find(',', start);
        const auto end = comma == std::string::npos ? text.size() : comma;
        if (auto p = trim(std::string_view(text).substr(start, end - start)); !p.empty()) {
            parts.push_back(std::move(p));
        }
        start = end + 1;
    }
    AddressParts out;
    if (parts.size() >= 2) {
        out.town = parts.back();
        parts.pop_back();
    }
    std::size_t k = 0;
    std::size_t street_end = 0; // first part after the street
    for (; k < parts.size(); ++k) {
        const auto space = parts[k].find(' ');
        if (is_number_range(parts[k]) && k + 1 < parts.size()) {
            out.pao = parse_addressable_object(parts[k]);
            out.street = parts[k + 1];
            street_end = k + 2;
            break;
        }
        if (space != std::string::npos && is_number_range(parts[k].substr(0, space))) {
            out.pao = parse_addressable_object(parts[k].substr(0, space));
            out.street = trim(std::string_view(parts[k]).substr(space + 1));
            street_end = k + 1;
            break;
        }
    }
    if (k == parts.size()) { // no number: "Rose Cottage, Mill Lane"
        if (parts.empty()) {
            return out;
        }
        out.pao = parse_addressable_object(parts[0]);
        if (parts.size() >= 2) {
            out.street = parts[1];
        }
        out.locality = join(parts, 2, parts.size());
        return out;
    }
    if (k == 1) {
        out.pao.text = parts[0];
    } else if (k >= 2) {
        out.sao = parse_addressable_object(parts[0]);
        out.pao.text = join(parts, 1, k);
    }
    out.locality = join(parts, street_end, parts.size());
    return out;
}

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

void import_addresses(ImportContext& ctx) {
    auto& source = ctx.source;
    auto& report = ctx.report;
    const auto& o = ctx.options;

    const int uprn_field = source.require_field(
        !o.uprn_field.empty() ? o.uprn_field : source.find_field({"UPRN"}).value_or("UPRN"),
        "--uprn-field");
    const bool parts_given =
        !o.saon_field.empty() || !o.paon_field.empty() || !o.street_field.empty();
    const int address_field = parts_given
                                  ? -1
                                  : source.optional_field(o.address_field, "--address-field",
                                                          {"address", "full_address", "single_line",
                                                           "single_line_address", "address_line"});
    int saon_field = -1;
    int paon_field = -1;
    int street_field = -1;
    int locality_field = -1;
    int town_field = -1;
    if (address_field < 0) {
        saon_field = source.optional_field(o.saon_field, "--saon-field", {"saon", "sao"});
        paon_field = source.optional_field(o.paon_field, "--paon-field",
                                           {"paon", "pao", "house_number", "building"});
        street_field = source.optional_field(o.street_field, "--street-field",
                                             {"street", "street_name", "street_description"});
        locality_field = source.optional_field(o.locality_field, "--locality-field", {"locality"});
        if (paon_field < 0 && street_field < 0) {
            throw ImportError(source.place(0),
                              "no address columns: give --address-field (single-line text) or "
                              "--paon-field/--street-field (parts); the file has " +
                                  std::to_string(source.field_names().size()) + " fields");
        }
    }
    // The town is a part of its own in both layouts (a single line's last part otherwise).
    town_field =
        source.optional_field(o.town_field, "--town-field", {"town", "post_town", "town_name"});
    const int postcode_field = source.optional_field(o.postcode_field, "--postcode-field",
                                                     {"postcode", "pcds", "post_code", "PC"});
    const int usrn_field = source.optional_field(o.usrn_field, "--usrn-field", {"USRN"});
    const int class_field = source.optional_field(o.classification_field, "--classification-field",
                                                  {"classification", "class", "blpu_class"});
    // A CSV carries its position in two columns; other formats in their geometry.
    int x_field = -1;
    int y_field = -1;
    if (source.is_csv() || !o.x_field.empty()) {
        x_field = source.require_field(
            !o.x_field.empty() ? o.x_field
                               : source
                                     .find_field({"x", "easting", "Eastings", "X_COORDINATE", "lon",
                                                  "longitude", "lng"})
                                     .value_or("x"),
            "--x-field");
        y_field = source.require_field(
            !o.y_field.empty()
                ? o.y_field
                : source
                      .find_field({"y", "northing", "Northings", "Y_COORDINATE", "lat", "latitude"})
                      .value_or("y"),
            "--y-field");
    } else if (!source.has_geometry()) {
        throw ImportError(source.place(0), "the file has no geometry and no --x-field/--y-field");
    }
    const SourceCrs crs = source.crs();

    CouncilExtent extent(ctx.db, o.bbox);
    auto& geos = geo::this_thread_geos();
    GazetteerWriter writer(ctx.db, ctx.transform);
    auto stored = ctx.db.prepare(
        "SELECT logical_status, blpu_state, parent_uprn FROM properties WHERE uprn = ?");
    const auto value = [&](const SourceRow& row, int field) {
        return field >= 0 ? source.text(row, field) : std::string();
    };
    std::map<std::int64_t, std::int64_t> seen; // uprn -> first line
    SourceRow row;
    while (source.next(row)) {
        ++report.read;
        ctx.progress.update(report.read);
        try {
            const std::string raw = value(row, uprn_field);
            const auto uprn = parse_key(raw, max_uprn);
            if (!uprn) {
                report.reject(source.place(row, uprn_field),
                              raw.empty() ? "no UPRN"
                                          : "'" + raw +
                                                "' is not a UPRN (a whole number from 1 to "
                                                "999999999999)");
                continue;
            }
            if (auto [it, fresh] = seen.emplace(*uprn, row.line); !fresh) {
                report.reject(source.place(row, uprn_field),
                              "duplicate UPRN " + std::to_string(*uprn) + " (first at " +
                                  std::to_string(it->second) + ")");
                continue;
            }

            // The address.
            AddressParts parts;
            int empty_field = address_field;
            if (address_field >= 0) {
                std::string text = value(row, address_field);
                // A trailing postcode, as its own part or after the town ("Chorley PR7 1AB").
                const auto last_comma = text.rfind(',');
                const auto cut = last_comma == std::string::npos ? 0 : last_comma + 1;
                const std::string last = trim(std::string_view(text).substr(cut));
                if (auto pc = geo::normalise_postcode(last)) {
                    parts.postcode = *pc;
                    text.resize(cut == 0 ? 0 : cut - 1);
                } else if (const auto sp = last.rfind(' '); sp != std::string::npos && sp > 0) {
                    // "Chorley PR7 1AB": the last two words.
                    const auto sp2 = last.rfind(' ', sp - 1);
                    if (sp2 != std::string::npos) {
                        if (auto pc2 = geo::normalise_postcode(last.substr(sp2 + 1))) {
                            parts.postcode = *pc2;
                            text = text.substr(0, cut) + last.substr(0, sp2);
                        }
                    }
                }
                auto split = split_single_line(text);
                split.postcode = parts.postcode;
                parts = std::move(split);
            } else {
                parts.sao = parse_addressable_object(value(row, saon_field));
                parts.pao = parse_addressable_object(value(row, paon_field));
                parts.street = value(row, street_field);
                parts.locality = value(row, locality_field);
                empty_field = paon_field >= 0 ? paon_field : street_field;
            }
            if (town_field >= 0) {
                if (auto town = value(row, town_field); !town.empty()) {
                    parts.town = std::move(town);
                }
            }
            if (parts.sao.empty() && parts.pao.empty() && parts.street.empty()) {
                report.reject(source.place(row, empty_field), "empty address");
                continue;
            }
            if (postcode_field >= 0) {
                const std::string pc_raw = value(row, postcode_field);
                if (!pc_raw.empty()) {
                    const auto pc = geo::normalise_postcode(pc_raw);
                    if (!pc) {
                        report.reject(source.place(row, postcode_field),
                                      "'" + pc_raw + "' is not a UK postcode");
                        continue;
                    }
                    parts.postcode = *pc;
                }
            }
            std::optional<std::int64_t> usrn;
            if (const std::string usrn_raw = value(row, usrn_field); !usrn_raw.empty()) {
                usrn = parse_key(usrn_raw, max_usrn);
                if (!usrn) {
                    report.reject(source.place(row, usrn_field),
                                  "'" + usrn_raw +
                                      "' is not a USRN (a whole number from 1 to 99999999)");
                    continue;
                }
            }
            std::string classification = value(row, class_field);
            for (auto& c : classification) {
                c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            }
            if (classification.size() > max_class) {
                report.reject(source.place(row, class_field),
                              "'" + classification + "' is not a BLPU class (1 to 6 characters)");
                continue;
            }

            // The position.
            double x = 0;
            double y = 0;
            if (x_field >= 0) {
                if (value(row, x_field).empty() || value(row, y_field).empty()) {
                    report.reject(source.place(row, x_field), "no position (x or y is empty)");
                    continue;
                }
                x = source.number(row, x_field);
                y = source.number(row, y_field);
            } else {
                const OGRGeometry* g = row.feature->GetGeometryRef();
                if (g == nullptr || g->IsEmpty()) {
                    report.reject(source.place(row.line, "geometry"), "no geometry");
                    continue;
                }
                if (wkbFlatten(g->getGeometryType()) != wkbPoint) {
                    report.reject(source.place(row.line, "geometry"),
                                  std::string("a ") + g->getGeometryName() +
                                      ", not a point (a property is a point)");
                    continue;
                }
                x = g->toPoint()->getX();
                y = g->toPoint()->getY();
            }
            const geo::EastNorth en =
                crs == SourceCrs::bng ? geo::EastNorth{x, y} : ctx.transform.to_bng({x, y});
            auto point = geos.point(en.easting, en.northing);
            if (!extent.intersects(point.get())) {
                report.reject(x_field >= 0 ? source.place(row, x_field)
                                           : source.place(row.line, "geometry"),
                              "outside the council's extent (" + extent.description() + ")");
                continue;
            }

            PropertyData p;
            p.uprn = *uprn;
            p.classification = classification;
            p.at = en;
            stored.bind(1, *uprn);
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
            a.uprn = *uprn;
            a.lpi_key = "ADDR:" + std::to_string(*uprn);
            a.sao = parts.sao;
            a.pao = parts.pao;
            a.usrn = usrn;
            a.postcode = parts.postcode;
            a.post_town = parts.town;
            a.street = parts.street;
            a.locality = parts.locality;
            const Change address = writer.put_address(a);
            if (property == Change::inserted || address == Change::inserted) {
                ++(property == Change::inserted ? report.inserted : report.updated);
            } else if (property == Change::updated || address == Change::updated) {
                ++report.updated;
            }
        } catch (const ImportError& e) {
            report.reject(e.place(), e.reason());
        } catch (const geo::GeoError& e) {
            report.reject(x_field >= 0 ? source.place(row, x_field)
                                       : source.place(row.line, "geometry"),
                          e.what());
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
