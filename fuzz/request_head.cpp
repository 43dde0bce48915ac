// The HTTP request as the bridge reads it (server/http/server.cpp, PistacheBridge::onInput):
// raw bytes through scan_request_head, body_framing and, for a chunked body, ChunkedDecoder,
// then convert_request from a loopback peer with and without --trust-proxy (so X-Real-IP and
// X-Forwarded-For are read too). The scanner may refuse the bytes, but only with a status the
// bridge answers and its own words; nothing may throw; a complete head never claims more
// bytes than it was given; what convert_request keeps is decoded, NUL-free UTF-8.

#include "server/http/request_head.hpp"

#include "fuzz/fuzz_support.hpp"

#include "geo/utf8.hpp"

using namespace wardmap;

namespace {

bool refusal_status(int status) {
    return status == 400 || status == 413 || status == 414 || status == 431 || status == 501;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes = fuzz::text(data, size);
    // Small limits so that inputs of fuzzing size reach them.
    const http::HeadLimits limits{.max_head_bytes = 2048, .max_header_count = 20};
    http::HeadScan scan;
    try {
        scan = http::scan_request_head(bytes, limits);
        // Fed in two parts, as a reactor may see it, the scan must not decide otherwise.
        if (size > 1) {
            const auto early = http::scan_request_head(bytes.substr(0, size / 2), limits);
            fuzz::check(early.status != http::HeadScan::Status::complete ||
                            scan.status == http::HeadScan::Status::complete,
                        "a head complete in part but not in whole");
        }
    } catch (const std::exception& e) {
        fuzz::fail("scan_request_head threw", e.what());
    }
    if (scan.status == http::HeadScan::Status::invalid) {
        fuzz::check(refusal_status(scan.problem.status) && !scan.problem.detail.empty(),
                    "a refusal without a status the bridge answers or without words");
        return 0;
    }
    if (scan.status == http::HeadScan::Status::incomplete) {
        return 0;
    }
    fuzz::check(scan.head.head_bytes <= size, "a head longer than its input");

    std::string body;
    try {
        const auto framing = http::body_framing(scan.head);
        if (!framing.ok) {
            fuzz::check(refusal_status(framing.problem.status), "a framing refusal status");
            return 0;
        }
        const std::string_view rest = bytes.substr(scan.head.head_bytes);
        if (framing.framing.kind == http::BodyFraming::Kind::length) {
            body = std::string(rest.substr(0, framing.framing.length));
        } else if (framing.framing.kind == http::BodyFraming::Kind::chunked) {
            http::ChunkedDecoder decoder(4096);
            const auto fed = decoder.feed(rest, body);
            fuzz::check(fed.consumed <= rest.size(), "the decoder used bytes it was not given");
            fuzz::check(body.size() <= 4096, "a chunked body past its limit");
            if (fed.status == http::ChunkedDecoder::Status::invalid ||
                fed.status == http::ChunkedDecoder::Status::too_large) {
                return 0;
            }
        }
    } catch (const std::exception& e) {
        fuzz::fail("body framing threw", e.what());
    }

    for (const bool trust_proxy : {false, true}) {
        http::Request request;
        std::optional<services::FieldProblem> problem;
        try {
            problem = http::convert_request(scan.head, body, "127.0.0.1", trust_proxy, request);
        } catch (const std::exception& e) {
            fuzz::fail("convert_request threw", e.what());
        }
        if (problem) {
            continue;
        }
        fuzz::check(geo::is_valid_utf8(request.path) &&
                        request.path.find('\0') == std::string::npos,
                    "a decoded path that is not NUL-free UTF-8");
        for (const auto& [name, value] : request.query) {
            fuzz::check(geo::is_valid_utf8(name) && geo::is_valid_utf8(value),
                        "a decoded query parameter that is not UTF-8");
        }
        fuzz::check(!request.client_address.empty(), "no client address");
    }
    return 0;
}
