#pragma once

#include <string>
#include <vector>

namespace wardmap::test {

enum class TestImageFormat { jpeg, png, webp };

/// A real image made with libvips: the left half black, the right half white (so a rotation
/// shows), optionally with an alpha channel, encoded as `format`.
std::string make_test_image(TestImageFormat format, int width, int height, bool alpha = false);
/// A WebP animation of `frames` frames of width x height.
std::string make_animated_webp(int width, int height, int frames);
/// A greyscale PNG of width x height (one colour: tiny file, many pixels).
std::string make_flat_png(int width, int height);

/// `jpeg` with a hand-made EXIF APP1 segment spliced in after SOI: IFD0 Orientation
/// (1..8) and a GPS IFD with GPSLatitudeRef N and GPSLatitude 53/1 39/1 0/1.
std::string with_exif(const std::string& jpeg, int orientation);

/// What libvips reads back from encoded bytes.
struct DecodedImage {
    int width = 0;
    int height = 0;
    int bands = 0;
    bool has_exif = false; ///< any exif-data or exif-* field
    bool has_gps = false;  ///< an exif-ifd3-GPS* field
    bool has_xmp = false;
    bool has_icc = false;
    int orientation = 1; ///< 1 when absent
    std::string loader;  ///< "jpegload_buffer", ...
};
DecodedImage decode_test_image(const std::string& bytes);
/// Mean of the bands at a pixel of decoded bytes.
double pixel_mean(const std::string& bytes, int x, int y);

/// The marker bytes (0xE0..0xEF, 0xFE, ...) of a JPEG's segments before its first scan.
std::vector<int> jpeg_segment_markers(const std::string& jpeg);

} // namespace wardmap::test
