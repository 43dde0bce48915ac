#pragma once

#include "server/http/message.hpp"

#include <string>

namespace wardmap::http {

/// `proto://host[prefix]` of this server as the client reached it, for absolute links:
/// X-Forwarded-Proto/-Host/-Prefix when they are well-formed (a proxy in front sets them),
/// else Host, else `localhost`. No trailing slash.
std::string public_base_url(const Request& request);

} // namespace wardmap::http
