#include "geo/geojson_writer.hpp"

#include "geo/errors.hpp"
#include "geo/utf8.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numbers>

namespace wardmap::geo {

void append_number(std::string& out, double v, int decimals) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    std::array<char, 64> buf{};
    auto [end, ec] =
        std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::fixed, decimals);
    if (ec != std::errc()) {
        out += "null";
        return;
    }
    char* dot = static_cast<char*>(std::memchr(buf.data(), '.', end - buf.data()));
    if (dot) {
        while (end > dot + 1 && end[-1] == '0') {
            --end;
        }
        if (end == dot + 1) {
            end = dot;
        }
    }
    std::string_view text(buf.data(), end - buf.data());
    if (text == "-0") {
        text = "0";
    }
    out += text;
}

void append_integer(std::string& out, std::int64_t v) {
    std::array<char, 24> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), end);
}

namespace {

/// Bytes JSON text carries as they are: printable ASCII but '"' and '\\'. One load per byte
/// instead of four comparisons: the scan is most of the time spent writing a long list.
constexpr std::array<bool, 256> json_plain_bytes = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) {
        plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    }
    return plain;
}();

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        // Most text needs no escape: copy each run of plain ASCII at once.
        std::size_t run = i;
        while (run < s.size() && json_plain_bytes[static_cast<unsigned char>(s[run])]) {
            ++run;
        }
        out.append(s.data() + i, run - i);
        i = run;
        if (i == s.size()) {
            break;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            }
            ++i;
            continue;
        }
        if (const std::size_t len = utf8_sequence_length(s, i); len > 0) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    out += '"';
}

namespace {

class WkbReader {
  public:
    WkbReader(std::span<const unsigned char> wkb, int decimals, CoordinateOutput output)
        : m_wkb(wkb), m_decimals(decimals), m_output(output) {}

    void geometry(std::string& out) {
        const bool little = byte() == 1;
        const std::uint32_t raw_type = u32(little);
        // ISO WKB adds 1000/2000/3000 for Z/M/ZM; EWKB sets high flag bits.
        std::uint32_t type = raw_type & 0x0FFFFFFF;
        int dims = 2;
        if (raw_type & 0x80000000U) {
            ++dims;
        }
        if (raw_type & 0x40000000U) {
            ++dims;
        }
        if (raw_type & 0x20000000U) {
            fail("WKB with an embedded SRID is not supported");
        }
        if (type >= 1000) {
            dims += type >= 3000 ? 2 : 1;
            type %= 1000;
        }
        switch (type) {
        case 1:
            out += R"({"type":"Point","coordinates":)";
            position(out, little, dims);
            break;
        case 2:
            out += R"({"type":"LineString","coordinates":)";
            positions(out, little, dims);
            break;
        case 3:
            out += R"({"type":"Polygon","coordinates":)";
            rings(out, little, dims);
            break;
        case 4:
        case 5:
        case 6: {
            static constexpr std::array<const char*, 3> names = {
                R"({"type":"MultiPoint","coordinates":[)",
                R"({"type":"MultiLineString","coordinates":[)",
                R"({"type":"MultiPolygon","coordinates":[)"};
            out += names[type - 4];
            const std::uint32_t n = u32(little);
            for (std::uint32_t k = 0; k < n; ++k) {
                if (k) {
                    out += ',';
                }
                member(out, type - 3);
            }
            out += ']';
            break;
        }
        case 7: {
            out += R"({"type":"GeometryCollection","geometries":[)";
            const std::uint32_t n = u32(little);
            for (std::uint32_t k = 0; k < n; ++k) {
                if (k) {
                    out += ',';
                }
                geometry(out);
            }
            out += ']';
            break;
        }
        default:
            fail("unsupported WKB geometry type " + std::to_string(raw_type));
        }
        out += '}';
    }

    [[nodiscard]] bool at_end() const { return m_pos == m_wkb.size(); }

  private:
    // A member of a Multi* is a full WKB geometry of the simple type; emit coordinates only.
    void member(std::string& out, std::uint32_t expected_type) {
        const bool little = byte() == 1;
        const std::uint32_t raw_type = u32(little);
        std::uint32_t type = raw_type & 0x0FFFFFFF;
        int dims = 2 + ((raw_type & 0x80000000U) ? 1 : 0) + ((raw_type & 0x40000000U) ? 1 : 0);
        if (type >= 1000) {
            dims += type >= 3000 ? 2 : 1;
            type %= 1000;
        }
        if (type != expected_type) {
            fail("WKB multi-geometry member of the wrong type");
        }
        if (type == 1) {
            position(out, little, dims);
        } else if (type == 2) {
            positions(out, little, dims);
        } else {
            rings(out, little, dims);
        }
    }

    void rings(std::string& out, bool little, int dims) {
        const std::uint32_t n = u32(little);
        out += '[';
        for (std::uint32_t k = 0; k < n; ++k) {
            if (k) {
                out += ',';
            }
            positions(out, little, dims);
        }
        out += ']';
    }

    void positions(std::string& out, bool little, int dims) {
        const std::uint32_t n = u32(little);
        if (static_cast<std::uint64_t>(n) * dims * 8 > m_wkb.size() - m_pos) {
            fail("truncated WKB");
        }
        out += '[';
        for (std::uint32_t k = 0; k < n; ++k) {
            if (k) {
                out += ',';
            }
            position(out, little, dims);
        }
        out += ']';
    }

    void position(std::string& out, bool little, int dims) {
        double x = f64(little);
        double y = f64(little);
        for (int d = 2; d < dims; ++d) {
            (void)f64(little);
        }
        if (m_output == CoordinateOutput::swap_xy) {
            std::swap(x, y);
        } else if (m_output == CoordinateOutput::web_mercator) {
            lonlat_to_web_mercator(x, y, x, y);
        }
        out += '[';
        append_number(out, x, m_decimals);
        out += ',';
        append_number(out, y, m_decimals);
        out += ']';
    }

    unsigned char byte() {
        need(1);
        return m_wkb[m_pos++];
    }
    std::uint32_t u32(bool little) {
        need(4);
        std::uint32_t v = 0;
        std::memcpy(&v, m_wkb.data() + m_pos, 4);
        m_pos += 4;
        if (little != (std::endian::native == std::endian::little)) {
            v = __builtin_bswap32(v);
        }
        return v;
    }
    double f64(bool little) {
        need(8);
        std::uint64_t bits = 0;
        std::memcpy(&bits, m_wkb.data() + m_pos, 8);
        m_pos += 8;
        if (little != (std::endian::native == std::endian::little)) {
            bits = __builtin_bswap64(bits);
        }
        return std::bit_cast<double>(bits);
    }
    void need(std::size_t n) const {
        if (m_wkb.size() - m_pos < n) {
            fail("truncated WKB");
        }
    }
    [[noreturn]] static void fail(const std::string& why) { throw GeoError(why); }

    std::span<const unsigned char> m_wkb;
    int m_decimals;
    CoordinateOutput m_output;
    std::size_t m_pos = 0;
};

constexpr double web_mercator_radius = 6378137.0;
constexpr double web_mercator_max_lat = 85.051128779806604;
constexpr double degrees = 3.14159265358979323846 / 180.0;

} // namespace

void lonlat_to_web_mercator(double lon, double lat, double& x, double& y) {
    const double clamped = std::clamp(lat, -web_mercator_max_lat, web_mercator_max_lat);
    x = web_mercator_radius * lon * degrees;
    y = web_mercator_radius * std::log(std::tan(std::numbers::pi / 4 + clamped * degrees / 2));
}

void web_mercator_to_lonlat(double x, double y, double& lon, double& lat) {
    lon = x / web_mercator_radius / degrees;
    lat = (2 * std::atan(std::exp(y / web_mercator_radius)) - std::numbers::pi / 2) / degrees;
}

void append_wkb_as_geojson(std::string& out,
                           std::span<const unsigned char> wkb,
                           int decimals,
                           CoordinateOutput output) {
    WkbReader reader(wkb, decimals, output);
    reader.geometry(out);
    if (!reader.at_end()) {
        throw GeoError("trailing bytes after WKB geometry");
    }
}

JsonObjectWriter::JsonObjectWriter(std::string& out) : m_out(out) {
    m_out += '{';
}

void JsonObjectWriter::key(std::string_view k) {
    if (!m_first) {
        m_out += ',';
    }
    m_first = false;
    append_json_string(m_out, k);
    m_out += ':';
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(m_out, value);
    return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view k, std::int64_t value) {
    key(k);
    append_integer(m_out, value);
    return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view k, double value, int decimals) {
    key(k);
    append_number(m_out, value, decimals);
    return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view k, bool value) {
    key(k);
    m_out += value ? "true" : "false";
    return *this;
}

JsonObjectWriter& JsonObjectWriter::field(std::string_view k,
                                          const std::optional<std::string>& value) {
    return value ? field(k, std::string_view(*value)) : null_field(k);
}

JsonObjectWriter& JsonObjectWriter::null_field(std::string_view k) {
    key(k);
    m_out += "null";
    return *this;
}

JsonObjectWriter& JsonObjectWriter::raw_field(std::string_view k, std::string_view json) {
    key(k);
    m_out += json;
    return *this;
}

void JsonObjectWriter::close() {
    m_out += '}';
}

FeatureCollectionWriter::FeatureCollectionWriter(std::string& out, int decimals)
    : m_out(out), m_decimals(decimals) {
    m_out += R"({"type":"FeatureCollection","features":[)";
}

void append_feature(std::string& out,
                    std::int64_t id,
                    std::span<const unsigned char> wkb,
                    std::string_view properties_json,
                    int decimals,
                    CoordinateOutput output) {
    out += R"({"type":"Feature","id":)";
    append_integer(out, id);
    out += R"(,"geometry":)";
    if (wkb.empty()) {
        out += "null";
    } else {
        append_wkb_as_geojson(out, wkb, decimals, output);
    }
    out += R"(,"properties":)";
    out += properties_json.empty() ? std::string_view("{}") : properties_json;
    out += '}';
}

void FeatureCollectionWriter::add(std::int64_t id,
                                  std::span<const unsigned char> wkb,
                                  std::string_view properties_json) {
    if (m_count++) {
        m_out += ',';
    }
    append_feature(m_out, id, wkb, properties_json, m_decimals);
}

void FeatureCollectionWriter::finish(std::string_view extra_members) {
    m_out += ']';
    if (!extra_members.empty()) {
        m_out += ',';
        m_out += extra_members;
    }
    m_out += '}';
}

} // namespace wardmap::geo
