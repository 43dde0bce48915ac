#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wardmap::geo {

/// RFC 7946 coordinate precision: 7 decimals of a degree is about 1 cm.
inline constexpr int wgs84_decimals = 7;
/// Eastings and northings to the centimetre.
inline constexpr int metre_decimals = 2;

/// Appends `v` in fixed notation with at most `decimals` places, trailing zeros trimmed.
/// Locale-independent (std::to_chars); non-finite values become null.
void append_number(std::string& out, double v, int decimals);
void append_integer(std::string& out, std::int64_t v);
/// Appends `s` as a JSON string literal. Invalid UTF-8 bytes become U+FFFD, so output is
/// always valid JSON even for Latin-1 input.
void append_json_string(std::string& out, std::string_view s);
/// How stored coordinates are written out.
enum class CoordinateOutput {
    as_stored,    ///< x, y as in the WKB
    swap_xy,      ///< y, x: WGS84 lon/lat stored, EPSG:4326 lat/lon wanted
    web_mercator, ///< WGS84 lon/lat stored, EPSG:3857 metres wanted (spherical formula)
};

/// EPSG:3857 from WGS84 degrees (latitude clamped to +-85.06, the square world's edge).
void lonlat_to_web_mercator(double lon, double lat, double& x, double& y);
/// WGS84 degrees from EPSG:3857 metres.
void web_mercator_to_lonlat(double x, double y, double& lon, double& lat);

/// Appends a GeoJSON geometry object for an OGC WKB blob (2D; Z/M ordinates are dropped).
/// Throws GeoError on truncated or unsupported WKB.
void append_wkb_as_geojson(std::string& out,
                           std::span<const unsigned char> wkb,
                           int decimals,
                           CoordinateOutput output = CoordinateOutput::as_stored);

/// Builds one JSON object member by member onto a string, without a DOM.
class JsonObjectWriter {
  public:
    explicit JsonObjectWriter(std::string& out);
    JsonObjectWriter& field(std::string_view key, std::string_view value);
    JsonObjectWriter& field(std::string_view key, const char* value) {
        return field(key, std::string_view(value));
    }
    JsonObjectWriter& field(std::string_view key, const std::string& value) {
        return field(key, std::string_view(value));
    }
    JsonObjectWriter& field(std::string_view key, std::int64_t value);
    JsonObjectWriter& field(std::string_view key, int value) {
        return field(key, static_cast<std::int64_t>(value));
    }
    JsonObjectWriter& field(std::string_view key, double value, int decimals);
    JsonObjectWriter& field(std::string_view key, bool value);
    JsonObjectWriter& field(std::string_view key, const std::optional<std::string>& value);
    JsonObjectWriter& null_field(std::string_view key);
    /// `json` must already be valid JSON text.
    JsonObjectWriter& raw_field(std::string_view key, std::string_view json);
    /// Closes the object; the writer must not be used afterwards.
    void close();

  private:
    void key(std::string_view k);
    std::string& m_out;
    bool m_first = true;
};

/// Appends one GeoJSON Feature (an empty `wkb` gives a null geometry; `properties_json` must
/// be a JSON object's text, or empty for {}).
void append_feature(std::string& out,
                    std::int64_t id,
                    std::span<const unsigned char> wkb,
                    std::string_view properties_json,
                    int decimals,
                    CoordinateOutput output = CoordinateOutput::as_stored);

/// Streams a FeatureCollection onto a string feature by feature.
class FeatureCollectionWriter {
  public:
    FeatureCollectionWriter(std::string& out, int decimals);
    /// `properties_json` must be a JSON object's text (or empty for {}).
    void add(std::int64_t id, std::span<const unsigned char> wkb, std::string_view properties_json);
    /// Closes the features array; `extra_members` (e.g. `"numberReturned":3`) go after it.
    void finish(std::string_view extra_members = {});
    [[nodiscard]] std::size_t count() const { return m_count; }

  private:
    std::string& m_out;
    int m_decimals;
    std::size_t m_count = 0;
};

} // namespace wardmap::geo
