#include "tests/support/test_images.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vips/vips.h>

namespace wardmap::test {

namespace {

struct ImageUnref {
    void operator()(VipsImage* p) const noexcept { g_object_unref(p); }
};
using Image = std::unique_ptr<VipsImage, ImageUnref>;
struct GFree {
    void operator()(void* p) const noexcept { g_free(p); }
};
struct StrvFree {
    void operator()(gchar** p) const noexcept { g_strfreev(p); }
};

void start() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (VIPS_INIT("wardmap-tests") != 0) {
            throw std::runtime_error("libvips could not start");
        }
        vips_cache_set_max(0);
    });
}

[[noreturn]] void fail(const std::string& what) {
    const std::string message = what + ": " + vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error(message);
}

Image halves(int width, int height, bool alpha) {
    const int bands = alpha ? 4 : 3;
    std::string pixels(static_cast<std::size_t>(width) * height * bands, '\0');
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const auto at = (static_cast<std::size_t>(y) * width + x) * bands;
            for (int b = 0; b < 3; ++b) {
                pixels[at + b] = static_cast<char>(x < width / 2 ? 0 : 255);
            }
            if (alpha) {
                pixels[at + 3] = static_cast<char>(y < height / 2 ? 255 : 0);
            }
        }
    }
    Image image(vips_image_new_from_memory_copy(pixels.data(), pixels.size(), width, height, bands,
                                                VIPS_FORMAT_UCHAR));
    if (!image) {
        fail("vips_image_new_from_memory_copy");
    }
    image->Type = VIPS_INTERPRETATION_sRGB;
    return image;
}

std::string save(VipsImage* image, TestImageFormat format) {
    void* buffer = nullptr;
    std::size_t length = 0;
    int rc = -1;
    switch (format) {
    case TestImageFormat::jpeg:
        rc = vips_jpegsave_buffer(image, &buffer, &length, nullptr);
        break;
    case TestImageFormat::png:
        rc = vips_pngsave_buffer(image, &buffer, &length, nullptr);
        break;
    case TestImageFormat::webp:
        rc = vips_webpsave_buffer(image, &buffer, &length, nullptr);
        break;
    }
    if (rc != 0) {
        fail("save");
    }
    const std::unique_ptr<void, GFree> owner(buffer);
    return {static_cast<const char*>(buffer), length};
}

Image load(const std::string& bytes) {
    VipsImage* out = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
    if (out == nullptr) {
        fail("vips_image_new_from_buffer");
    }
    return Image(out);
}

void put16(std::string& s, unsigned v) {
    s += static_cast<char>(v & 0xFFU);
    s += static_cast<char>((v >> 8U) & 0xFFU);
}
void put32(std::string& s, std::uint32_t v) {
    put16(s, v & 0xFFFFU);
    put16(s, v >> 16U);
}

} // namespace

std::string make_test_image(TestImageFormat format, int width, int height, bool alpha) {
    start();
    const auto image = halves(width, height, alpha);
    return save(image.get(), format);
}

std::string make_animated_webp(int width, int height, int frames) {
    start();
    // Frames must differ: libwebp merges identical frames into one.
    std::string pixels(static_cast<std::size_t>(width) * height * frames * 3, '\0');
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        const auto row = i / (static_cast<std::size_t>(width) * 3);
        pixels[i] = static_cast<char>((row / static_cast<std::size_t>(height)) * 80 % 256);
    }
    Image image(vips_image_new_from_memory_copy(pixels.data(), pixels.size(), width,
                                                height * frames, 3, VIPS_FORMAT_UCHAR));
    if (!image) {
        fail("vips_image_new_from_memory_copy");
    }
    vips_image_set_int(image.get(), "page-height", height);
    return save(image.get(), TestImageFormat::webp);
}

std::string make_flat_png(int width, int height) {
    start();
    VipsImage* out = nullptr;
    if (vips_black(&out, width, height, nullptr) != 0) {
        fail("vips_black");
    }
    const Image black(out);
    if (vips_cast_uchar(black.get(), &out, nullptr) != 0) {
        fail("vips_cast_uchar");
    }
    const Image grey(out);
    return save(grey.get(), TestImageFormat::png);
}

std::string with_exif(const std::string& jpeg, int orientation) {
    // A little-endian TIFF structure: IFD0 (Orientation, GPS IFD pointer), the GPS IFD
    // (GPSLatitudeRef, GPSLatitude) and the latitude's three rationals.
    std::string tiff = "II";
    put16(tiff, 42);
    put32(tiff, 8);
    put16(tiff, 2); // IFD0 at 8: two entries
    put16(tiff, 0x0112);
    put16(tiff, 3);
    put32(tiff, 1);
    put16(tiff, static_cast<unsigned>(orientation));
    put16(tiff, 0);
    put16(tiff, 0x8825);
    put16(tiff, 4);
    put32(tiff, 1);
    put32(tiff, 38); // the GPS IFD's offset
    put32(tiff, 0);
    put16(tiff, 2); // GPS IFD at 38
    put16(tiff, 0x0001);
    put16(tiff, 2);
    put32(tiff, 2);
    tiff += std::string("N\0\0\0", 4);
    put16(tiff, 0x0002);
    put16(tiff, 5);
    put32(tiff, 3);
    put32(tiff, 68); // the rationals' offset
    put32(tiff, 0);
    for (const std::uint32_t v : {53U, 1U, 39U, 1U, 0U, 1U}) {
        put32(tiff, v);
    }
    const std::string payload = std::string("Exif\0\0", 6) + tiff;
    const std::size_t length = payload.size() + 2;
    std::string app1 = "\xFF\xE1";
    app1 += static_cast<char>(length >> 8U);
    app1 += static_cast<char>(length & 0xFFU);
    return jpeg.substr(0, 2) + app1 + payload + jpeg.substr(2);
}

DecodedImage decode_test_image(const std::string& bytes) {
    start();
    const auto image = load(bytes);
    DecodedImage d;
    d.width = vips_image_get_width(image.get());
    d.height = vips_image_get_height(image.get());
    d.bands = vips_image_get_bands(image.get());
    const std::unique_ptr<gchar*, StrvFree> fields(vips_image_get_fields(image.get()));
    for (gchar** f = fields.get(); *f != nullptr; ++f) {
        const std::string name = *f;
        d.has_exif = d.has_exif || name.starts_with("exif-");
        d.has_gps = d.has_gps || name.starts_with("exif-ifd3-GPS");
        d.has_xmp = d.has_xmp || name == "xmp-data";
        d.has_icc = d.has_icc || name == "icc-profile-data";
    }
    int orientation = 1;
    if (vips_image_get_typeof(image.get(), "orientation") != 0 &&
        vips_image_get_int(image.get(), "orientation", &orientation) == 0) {
        d.orientation = orientation;
    }
    const char* loader = nullptr;
    if (vips_image_get_string(image.get(), "vips-loader", &loader) == 0 && loader != nullptr) {
        d.loader = loader;
    }
    return d;
}

double pixel_mean(const std::string& bytes, int x, int y) {
    start();
    const auto image = load(bytes);
    double* vector = nullptr;
    int n = 0;
    if (vips_getpoint(image.get(), &vector, &n, x, y, nullptr) != 0) {
        fail("vips_getpoint");
    }
    const std::unique_ptr<void, GFree> owner(vector);
    double sum = 0;
    for (int i = 0; i < n; ++i) {
        sum += vector[i];
    }
    return n == 0 ? 0 : sum / n;
}

std::vector<int> jpeg_segment_markers(const std::string& jpeg) {
    std::vector<int> markers;
    std::size_t at = 2; // after SOI
    while (at + 4 <= jpeg.size() && static_cast<unsigned char>(jpeg[at]) == 0xFF) {
        const int marker = static_cast<unsigned char>(jpeg[at + 1]);
        markers.push_back(marker);
        if (marker == 0xDA) {
            break; // start of scan: entropy-coded data follows
        }
        const std::size_t length =
            (static_cast<std::size_t>(static_cast<unsigned char>(jpeg[at + 2])) << 8U) |
            static_cast<unsigned char>(jpeg[at + 3]);
        at += 2 + length;
    }
    return markers;
}

} // namespace wardmap::test
