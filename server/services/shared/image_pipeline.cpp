#include "server/services/shared/image_pipeline.hpp"

#include "geo/c_handle.hpp"
#include "server/services/shared/errors.hpp"

#include <mutex>
#include <stdexcept>
#include <vips/vips.h>

namespace wardmap::services {

namespace {

using VipsImageOwner = geo::CHandle<VipsImage, g_object_unref>;
using GBufferOwner = geo::CHandle<void, g_free>;

/// libvips is started once per process. The operation cache is off: it would keep decoded
/// images of past uploads in memory and key them on buffer addresses we reuse. One thread per
/// operation: the HTTP worker pool already runs uploads side by side. Loaders libvips marks as
/// untrusted (ImageMagick, PDF, ...) are blocked although we only ever call three loaders.
void start_vips() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (VIPS_INIT("wardmap") != 0) {
            throw std::runtime_error("libvips could not be initialised");
        }
        vips_cache_set_max(0);
        vips_concurrency_set(1);
        vips_block_untrusted_set(TRUE);
    });
}

/// Reads the first frame's header only (libvips decodes lazily); no pixels yet.
VipsImageOwner load_header(std::string_view bytes, ImageFormat format) {
    VipsImage* out = nullptr;
    void* data = const_cast<char*>(bytes.data()); // libvips reads, never writes
    int rc = -1;
    switch (format) {
    case ImageFormat::jpeg:
        rc = vips_jpegload_buffer(data, bytes.size(), &out, nullptr);
        break;
    case ImageFormat::png:
        rc = vips_pngload_buffer(data, bytes.size(), &out, nullptr);
        break;
    case ImageFormat::webp:
        rc = vips_webpload_buffer(data, bytes.size(), &out, nullptr);
        break;
    }
    VipsImageOwner image(out);
    if (rc != 0 || !image) {
        return nullptr;
    }
    return image;
}

/// True when a PNG has an acTL chunk before its first IDAT: an animated PNG (APNG).
bool animated_png(std::string_view bytes) {
    std::size_t at = 8;
    while (at + 8 <= bytes.size()) {
        const auto byte = [&](std::size_t i) {
            return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i]));
        };
        const std::uint32_t length =
            (byte(0) << 24U) | (byte(1) << 16U) | (byte(2) << 8U) | byte(3);
        const std::string_view type = bytes.substr(at + 4, 4);
        if (type == "acTL") {
            return true;
        }
        if (type == "IDAT" || length > bytes.size()) {
            return false;
        }
        at += 12 + static_cast<std::size_t>(length);
    }
    return false;
}

[[noreturn]] void undecodable(const std::string& field, ImageFormat format) {
    vips_error_clear(); // libvips' own words never reach a client
    throw DomainError(ErrorCode::invalid_parameter,
                      std::string("the photo starts like a ") + to_string(format) +
                          " image but could not be decoded (damaged or truncated?)",
                      {{field, "is not a readable image"}});
}

std::string save_jpeg(VipsImage* image, int quality) {
    void* buffer = nullptr;
    std::size_t length = 0;
    if (vips_jpegsave_buffer(image, &buffer, &length, "Q", quality, "strip", TRUE,
                             "optimize_coding", TRUE, nullptr) != 0) {
        return {};
    }
    const GBufferOwner owner(buffer);
    return {static_cast<const char*>(buffer), length};
}

} // namespace

std::optional<ImageFormat> sniff_image_format(std::string_view bytes) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") {
        return ImageFormat::jpeg;
    }
    if (bytes.size() >= 8 && bytes.substr(0, 8) == "\x89PNG\r\n\x1A\n") {
        return ImageFormat::png;
    }
    if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
        return ImageFormat::webp;
    }
    return std::nullopt;
}

const char* to_string(ImageFormat format) {
    switch (format) {
    case ImageFormat::jpeg:
        return "JPEG";
    case ImageFormat::png:
        return "PNG";
    case ImageFormat::webp:
        return "WebP";
    }
    return "image";
}

ImagePipeline::ImagePipeline(ImageLimits limits) : m_limits(limits) {
    start_vips();
}

namespace {

/// Frees libvips' per-thread buffers when a photo job ends (declared before the job's images,
/// so it runs after they are unreferenced). Workers are long-lived and libvips keeps each
/// thread's buffers until the thread ends, which showed as anonymous memory creeping up
/// over a soak with photo uploads (bench/soak.sh).
struct VipsThreadBuffers {
    VipsThreadBuffers() = default;
    VipsThreadBuffers(const VipsThreadBuffers&) = delete;
    VipsThreadBuffers& operator=(const VipsThreadBuffers&) = delete;
    ~VipsThreadBuffers() { vips_thread_shutdown(); }
};

} // namespace

EncodedPhoto ImagePipeline::encode(std::string_view bytes, const std::string& field) const {
    const VipsThreadBuffers release_at_end;
    if (bytes.size() > m_limits.max_bytes) {
        throw DomainError(ErrorCode::payload_too_large,
                          "the photo is " + std::to_string(bytes.size()) + " bytes; at most " +
                              std::to_string(m_limits.max_bytes) + " are accepted",
                          {{field, "is too large"}});
    }
    const auto format = sniff_image_format(bytes);
    if (!format) {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "the photo is not a JPEG, PNG or WebP image (judged by its content, "
                          "not its name or Content-Type)",
                          {{field, "must be a JPEG, PNG or WebP image"}});
    }
    if (*format == ImageFormat::png && animated_png(bytes)) {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "animated images are not accepted; send a still photo",
                          {{field, "is an animated PNG"}});
    }
    const auto header = load_header(bytes, *format);
    if (!header) {
        undecodable(field, *format);
    }
    if (vips_image_get_n_pages(header.get()) > 1) {
        throw DomainError(ErrorCode::unsupported_media_type,
                          "animated images are not accepted; send a still photo",
                          {{field, std::string("is an animated ") + to_string(*format)}});
    }
    const int width = vips_image_get_width(header.get());
    const int height = vips_image_get_height(header.get());
    if (static_cast<std::int64_t>(width) * height > m_limits.max_pixels) {
        throw DomainError(ErrorCode::payload_too_large,
                          "the photo is " + std::to_string(width) + " x " + std::to_string(height) +
                              " pixels; at most " +
                              std::to_string(m_limits.max_pixels / 1'000'000) +
                              " megapixels are accepted",
                          {{field, "has too many pixels"}});
    }

    // Decode, shrinking on load where the format can, and turn upright by the EXIF
    // orientation: thumbnail reads the orientation before anything is stripped.
    VipsImage* out = nullptr;
    void* data = const_cast<char*>(bytes.data());
    if (vips_thumbnail_buffer(data, bytes.size(), &out, m_limits.max_edge, "height",
                              m_limits.max_edge, "size", VIPS_SIZE_DOWN, nullptr) != 0) {
        undecodable(field, *format);
    }
    VipsImageOwner upright(out);
    if (vips_colourspace(upright.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr) != 0) {
        undecodable(field, *format);
    }
    VipsImageOwner srgb(out);
    if (vips_image_hasalpha(srgb.get())) {
        VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
        const int rc = vips_flatten(srgb.get(), &out, "background", white, nullptr);
        vips_area_unref(VIPS_AREA(white));
        if (rc != 0) {
            undecodable(field, *format);
        }
        srgb = VipsImageOwner(out);
    }
    // Decode once into memory; both encodings read from here.
    VipsImageOwner pixels(vips_image_copy_memory(srgb.get()));
    if (!pixels) {
        undecodable(field, *format);
    }
    EncodedPhoto photo;
    photo.jpeg = save_jpeg(pixels.get(), m_limits.quality);
    photo.width = vips_image_get_width(pixels.get());
    photo.height = vips_image_get_height(pixels.get());
    if (vips_thumbnail_image(pixels.get(), &out, m_limits.thumbnail_edge, "height",
                             m_limits.thumbnail_edge, "size", VIPS_SIZE_DOWN, "no_rotate", TRUE,
                             nullptr) != 0) {
        undecodable(field, *format);
    }
    const VipsImageOwner thumbnail(out);
    photo.thumbnail = save_jpeg(thumbnail.get(), m_limits.quality);
    photo.thumbnail_width = vips_image_get_width(thumbnail.get());
    photo.thumbnail_height = vips_image_get_height(thumbnail.get());
    if (photo.jpeg.empty() || photo.thumbnail.empty()) {
        undecodable(field, *format);
    }
    return photo;
}

} // namespace wardmap::services
