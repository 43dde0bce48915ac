// The photo pipeline on real images made with libvips: formats judged by content, EXIF
// orientation applied, EXIF and GPS gone from the output, sizes bounded, bombs and animations
// refused.

#include "server/services/shared/errors.hpp"
#include "server/services/shared/image_pipeline.hpp"
#include "tests/support/test_images.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wardmap::services {
namespace {

using test::TestImageFormat;

ErrorCode refusal_code(const ImagePipeline& pipeline, const std::string& bytes) {
    try {
        (void)pipeline.encode(bytes, "photo");
    } catch (const DomainError& e) {
        EXPECT_FALSE(e.problems().empty());
        EXPECT_EQ(e.problems().front().name, "photo");
        return e.code();
    }
    ADD_FAILURE() << "the pipeline accepted it";
    return ErrorCode::internal;
}

TEST(ImagePipeline, SniffsTheFormatFromMagicBytesOnly) {
    EXPECT_EQ(sniff_image_format(test::make_test_image(TestImageFormat::jpeg, 8, 8)),
              ImageFormat::jpeg);
    EXPECT_EQ(sniff_image_format(test::make_test_image(TestImageFormat::png, 8, 8)),
              ImageFormat::png);
    EXPECT_EQ(sniff_image_format(test::make_test_image(TestImageFormat::webp, 8, 8)),
              ImageFormat::webp);
    EXPECT_FALSE(sniff_image_format("just some text pretending to be photo.jpg"));
    EXPECT_FALSE(sniff_image_format("GIF89a......"));
    EXPECT_FALSE(sniff_image_format("RIFF\x10\0\0\0WAVEfmt "));
    EXPECT_FALSE(sniff_image_format("\xFF\xD8"));
    EXPECT_FALSE(sniff_image_format(""));
}

TEST(ImagePipeline, ReencodesEachFormatAsJpegWithAThumbnail) {
    const ImagePipeline pipeline;
    for (const auto format : {TestImageFormat::jpeg, TestImageFormat::png, TestImageFormat::webp}) {
        const auto photo = pipeline.encode(test::make_test_image(format, 640, 480), "photo");
        const auto big = test::decode_test_image(photo.jpeg);
        EXPECT_EQ(big.loader, "jpegload_buffer");
        EXPECT_EQ(big.width, 640);
        EXPECT_EQ(big.height, 480);
        EXPECT_EQ(photo.width, 640);
        EXPECT_EQ(photo.height, 480);
        const auto thumb = test::decode_test_image(photo.thumbnail);
        EXPECT_EQ(thumb.loader, "jpegload_buffer");
        EXPECT_EQ(thumb.width, 256);
        EXPECT_EQ(thumb.height, 192);
        EXPECT_EQ(photo.thumbnail_width, 256);
        EXPECT_EQ(photo.thumbnail_height, 192);
        // The picture survives: left half dark, right half light.
        EXPECT_LT(test::pixel_mean(photo.jpeg, 100, 240), 30);
        EXPECT_GT(test::pixel_mean(photo.jpeg, 540, 240), 225);
    }
}

TEST(ImagePipeline, ShrinksToTheLongEdgeLimitButNeverEnlarges) {
    const ImagePipeline pipeline;
    const auto big =
        pipeline.encode(test::make_test_image(TestImageFormat::png, 3000, 1000), "photo");
    EXPECT_EQ(big.width, 2048);
    EXPECT_EQ(big.height, 683);
    EXPECT_EQ(big.thumbnail_width, 256);
    EXPECT_EQ(big.thumbnail_height, 85);
    const auto small =
        pipeline.encode(test::make_test_image(TestImageFormat::jpeg, 100, 50), "photo");
    EXPECT_EQ(small.width, 100);
    EXPECT_EQ(small.thumbnail_width, 100);
    EXPECT_EQ(small.thumbnail_height, 50);
}

TEST(ImagePipeline, AppliesTheExifOrientationThenStripsExifAndGps) {
    const std::string input =
        test::with_exif(test::make_test_image(TestImageFormat::jpeg, 300, 200), 6);
    // The fixture really carries what we strip.
    const auto before = test::decode_test_image(input);
    ASSERT_TRUE(before.has_gps);
    ASSERT_EQ(before.orientation, 6);
    ASSERT_EQ(before.width, 300);
    const auto markers = test::jpeg_segment_markers(input);
    ASSERT_NE(std::find(markers.begin(), markers.end(), 0xE1), markers.end());

    const ImagePipeline pipeline;
    const auto photo = pipeline.encode(input, "photo");
    for (const auto* bytes : {&photo.jpeg, &photo.thumbnail}) {
        const auto after = test::decode_test_image(*bytes);
        EXPECT_FALSE(after.has_exif);
        EXPECT_FALSE(after.has_gps);
        EXPECT_FALSE(after.has_xmp);
        EXPECT_FALSE(after.has_icc);
        EXPECT_EQ(after.orientation, 1);
        // No APP1 (EXIF/XMP), APP2 (ICC) or APP13 (IPTC) segment, no comment, at all.
        for (const int m : test::jpeg_segment_markers(*bytes)) {
            EXPECT_TRUE(m == 0xE0 || (m >= 0xC0 && m <= 0xDF)) << "marker 0x" << std::hex << m;
        }
        EXPECT_EQ(bytes->find("Exif"), std::string::npos);
    }
    // Orientation 6 = turn 90 degrees clockwise: 300x200 becomes 200x300, the black left
    // half becomes the top.
    EXPECT_EQ(photo.width, 200);
    EXPECT_EQ(photo.height, 300);
    EXPECT_LT(test::pixel_mean(photo.jpeg, 100, 40), 30);
    EXPECT_GT(test::pixel_mean(photo.jpeg, 100, 260), 225);
}

TEST(ImagePipeline, FlattensTransparencyOntoWhite) {
    const ImagePipeline pipeline;
    const auto photo =
        pipeline.encode(test::make_test_image(TestImageFormat::png, 200, 200, true), "photo");
    EXPECT_EQ(test::decode_test_image(photo.jpeg).bands, 3);
    EXPECT_LT(test::pixel_mean(photo.jpeg, 20, 20), 30);   // opaque black
    EXPECT_GT(test::pixel_mean(photo.jpeg, 20, 180), 225); // transparent: white
}

TEST(ImagePipeline, RefusesTextAndOtherFormatsAs415) {
    const ImagePipeline pipeline;
    EXPECT_EQ(refusal_code(pipeline, "this is not a photo.jpg"), ErrorCode::unsupported_media_type);
    EXPECT_EQ(refusal_code(pipeline, "GIF89a\x01\0\x01\0\0\0\0;"),
              ErrorCode::unsupported_media_type);
    EXPECT_EQ(refusal_code(pipeline, "<svg xmlns='http://www.w3.org/2000/svg'/>"),
              ErrorCode::unsupported_media_type);
}

TEST(ImagePipeline, RefusesDamagedImagesAs400) {
    const ImagePipeline pipeline;
    EXPECT_EQ(refusal_code(pipeline, "\xFF\xD8\xFF\xE0 then garbage"),
              ErrorCode::invalid_parameter);
    const auto png = test::make_test_image(TestImageFormat::png, 64, 64);
    EXPECT_EQ(refusal_code(pipeline, png.substr(0, 40)), ErrorCode::invalid_parameter);
}

TEST(ImagePipeline, RefusesAnimations) {
    const ImagePipeline pipeline;
    EXPECT_EQ(refusal_code(pipeline, test::make_animated_webp(32, 32, 3)),
              ErrorCode::unsupported_media_type);
}

TEST(ImagePipeline, RefusesTooManyBytesAndDecompressionBombsAs413) {
    ImageLimits limits;
    limits.max_bytes = 1000;
    EXPECT_EQ(refusal_code(ImagePipeline(limits), std::string(1001, 'x')),
              ErrorCode::payload_too_large);
    // A tiny file that decodes to 64 megapixels is refused from its header alone.
    const auto bomb = test::make_flat_png(8000, 8000);
    ASSERT_LT(bomb.size(), 200'000U);
    EXPECT_EQ(refusal_code(ImagePipeline(), bomb), ErrorCode::payload_too_large);
}

} // namespace
} // namespace wardmap::services
