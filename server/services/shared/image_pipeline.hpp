#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wardmap::services {

/// The image formats accepted from residents, told apart by their first bytes.
enum class ImageFormat { jpeg, png, webp };

/// The format of `bytes` by its magic number, never by a name or a Content-Type.
std::optional<ImageFormat> sniff_image_format(std::string_view bytes);
const char* to_string(ImageFormat format);

/// A photo ready to store: upright, sRGB, re-encoded as baseline JPEG with no metadata (no
/// EXIF, no GPS, no XMP, no ICC profile), and its thumbnail. Plain value.
struct EncodedPhoto {
    std::string jpeg;
    int width = 0;
    int height = 0;
    std::string thumbnail;
    int thumbnail_width = 0;
    int thumbnail_height = 0;
};

struct ImageLimits {
    std::size_t max_bytes = 10U * 1024U * 1024U;
    /// Guards against decompression bombs: a small file that decodes to a huge image.
    std::int64_t max_pixels = 50'000'000;
    int max_edge = 2048;
    int thumbnail_edge = 256;
    int quality = 85;
};

/// Turns uploaded bytes into an EncodedPhoto with libvips: sniffs the format, reads only
/// the header to check the size and frame count, then decodes (shrinking on load where the
/// format allows), applies the EXIF orientation, flattens transparency onto white, shrinks to
/// the long edge limit and saves with metadata stripped. Thread-safe.
///
/// DomainError: payload_too_large over max_bytes or max_pixels; unsupported_media_type when
/// the bytes are not JPEG, PNG or WebP, or are animated; invalid_parameter (naming `field`)
/// when they claim a format but do not decode.
class ImagePipeline {
  public:
    explicit ImagePipeline(ImageLimits limits = {});
    [[nodiscard]] EncodedPhoto encode(std::string_view bytes, const std::string& field) const;
    [[nodiscard]] const ImageLimits& limits() const { return m_limits; }

  private:
    ImageLimits m_limits;
};

} // namespace wardmap::services
