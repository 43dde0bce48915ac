#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wardmap::http {

/// Bounds on what a client may send before its body. The request line and all the header
/// lines together must fit in `max_head_bytes`.
struct HeadLimits {
    std::size_t max_head_bytes = 16 * 1024;
    std::size_t max_header_count = 100;
};

/// The request line and headers of one HTTP/1.x request, as sent (nothing decoded).
struct RequestHead {
    std::string method;
    std::string target;                                       // the request-target: "/path?query"
    int minor_version = 1;                                    // HTTP/1.0 or HTTP/1.1
    std::vector<std::pair<std::string, std::string>> headers; // values without outer blanks
    std::size_t head_bytes = 0; // bytes taken, up to and including the blank line
};

/// Why a request is refused before its body: the status (400, 413, 414, 431, 501) and our
/// own words for the client. Never a library message.
struct HeadProblem {
    int status = 400;
    std::string detail;
};

/// What the bytes received so far amount to.
struct HeadScan {
    enum class Status { incomplete, complete, invalid };
    Status status = Status::incomplete;
    RequestHead head;    // when complete
    HeadProblem problem; // when invalid
};

/// Reads one request head from the start of `bytes`, which may hold only its beginning.
/// A pure function of its input, in time linear in its length: the server calls it again
/// with more bytes until it is complete or invalid. Whatever is already wrong is reported at
/// once (a bad method or version, a control character, a header without a colon), without
/// waiting for the rest; a head over the limits is refused as soon as the limit is passed
/// (414 while still in the request line, 431 after).
/// Lines end in CRLF or a bare LF (as nginx accepts); empty lines before the request line are
/// skipped; obsolete line folding is refused.
HeadScan scan_request_head(std::string_view bytes, const HeadLimits& limits = {});

/// How the body of a request is delimited.
struct BodyFraming {
    enum class Kind { none, length, chunked };
    Kind kind = Kind::none;
    std::uint64_t length = 0; // for Kind::length
};

struct FramingResult {
    bool ok = false;
    BodyFraming framing;
    HeadProblem problem; // when !ok
};

/// The body's framing from Content-Length and Transfer-Encoding (RFC 9112 section 6): a
/// Content-Length must be decimal digits that fit in 63 bits (repeated only with the same
/// value); Transfer-Encoding may only be "chunked", and never together with Content-Length.
FramingResult body_framing(const RequestHead& head);

/// Decodes a chunked body incrementally, refusing malformed framing and bodies over a limit
/// before buffering them. Pure bytes in, bytes out: no I/O.
class ChunkedDecoder {
  public:
    enum class Status { need_more, done, invalid, too_large };
    struct Result {
        Status status = Status::need_more;
        std::size_t consumed = 0; // bytes of `input` used (on done: up to the end of the body)
        std::string detail;       // for invalid
    };

    explicit ChunkedDecoder(std::uint64_t max_body_bytes, std::size_t max_line_bytes = 4096)
        : m_max_body(max_body_bytes), m_max_line(max_line_bytes) {}

    /// Appends decoded data to `body`.
    Result feed(std::string_view input, std::string& body);

  private:
    enum class State { size_line, data, data_crlf, trailer };
    State m_state = State::size_line;
    std::string m_line; // the current size or trailer line, without its end
    std::uint64_t m_remaining = 0;
    std::uint64_t m_total = 0;
    std::size_t m_trailer_bytes = 0;
    std::uint64_t m_max_body;
    std::size_t m_max_line;
    bool m_seen_cr = false;
};

} // namespace wardmap::http
