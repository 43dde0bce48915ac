#pragma once

// The request head as the bridge takes it from Pistache: what 0.0.5 parsed (method, resource,
// query, headers, body) converted into our framework-free Request, decoding what 0.0.5 leaves
// encoded. Out of server.cpp so that fuzz/request_head.cpp drives exactly this code over
// Pistache's own parser, without a socket.
//
// A pre-scanner of the raw request head (issue #14), if one comes, runs before Pistache's
// parser sees the bytes; its fuzz target belongs beside fuzz/request_head.cpp, feeding it the
// same corpus.

#include "server/http/message.hpp"
#include "server/services/shared/errors.hpp"

#include <pistache/http.h>

#include <optional>
#include <string>

namespace wardmap::http {

/// Fills `out` from Pistache's parsed request; `remote_address` is the socket peer. With
/// `trust_proxy`, the client address is the last X-Forwarded-For entry. Returns the problem
/// (the parameter at fault) when the path or query is not validly percent-encoded UTF-8.
std::optional<services::FieldProblem> convert_request(const Pistache::Http::Request& in,
                                                      Request& out,
                                                      std::string remote_address,
                                                      bool trust_proxy);

} // namespace wardmap::http
