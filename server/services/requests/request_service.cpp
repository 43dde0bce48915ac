#include "server/services/requests/request_service.hpp"

#include "core/working_days.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/mailed_tokens.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sodium.h>
#include <tuple>

namespace wardmap::services {

namespace request_detail {

constexpr std::array<StatusInfo, 13> statuses{{
    {"open", true},
    {"investigating", true},
    {"in_progress", true},
    {"action_scheduled", true},
    {"reopened", true},
    {"fixed", false},
    {"no_further_action", false},
    {"duplicate", false},
    {"not_councils_responsibility", false},
    {"internal_referral", false},
    {"cancelled", false},
    {"closed", false},
    {"unchanged", true}, // an update that changes nothing: resolved before storage
}};

/// mySociety's upper-case update statuses -> ours; "unchanged" keeps the current one.
std::optional<std::string> status_from_update(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (text == "reopen") {
        return "reopened";
    }
    if (text == "planned") {
        return "action_scheduled";
    }
    if (status_info(text) != nullptr) {
        return text;
    }
    return std::nullopt;
}

std::size_t utf8_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::optional<double> parse_number(const std::string& text) {
    double v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> parse_id(const std::string& text) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, v);
    if (text.empty() || ec != std::errc() || ptr != end || v < 1) {
        return std::nullopt;
    }
    return v;
}

void check_media_url(const std::optional<std::string>& url, std::vector<FieldProblem>& problems) {
    if (url) {
        if (auto why = media_url_problem(*url)) {
            problems.push_back({"media_url", *why + ", not '" + url->substr(0, 80) + "'"});
        }
    }
}

[[noreturn]] void fail_with(std::vector<FieldProblem> problems) {
    std::string detail;
    for (const auto& p : problems) {
        detail += detail.empty() ? "" : "; ";
        detail += "'" + p.name + "' " + p.message;
    }
    throw DomainError(ErrorCode::invalid_parameter, detail, std::move(problems));
}

std::optional<core::UnixSeconds> parse_stored(std::optional<std::string_view> text) {
    return text ? core::parse_stored_utc(*text) : std::nullopt;
}

/// Answers to the service's questions, checked against its definition, as a JSON object.
nlohmann::json check_attributes(const ServiceDefinition& service,
                                const std::map<std::string, std::vector<std::string>>& given,
                                std::vector<FieldProblem>& problems) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& a : service.attributes) {
        if (!a.variable) {
            continue;
        }
        const std::string name = "attribute[" + a.code + "]";
        std::vector<std::string> values;
        if (const auto it = given.find(a.code); it != given.end()) {
            for (const auto& v : it->second) {
                if (!v.empty()) {
                    values.push_back(v);
                }
            }
        }
        if (values.empty()) {
            if (a.required) {
                problems.push_back({name, "is required: " + a.description});
            }
            continue;
        }
        if (a.datatype != AttributeType::multivaluelist && values.size() > 1) {
            problems.push_back({name, "takes one value, not " + std::to_string(values.size())});
            continue;
        }
        const auto in_list = [&a](const std::string& v) {
            return std::any_of(a.values.begin(), a.values.end(),
                               [&v](const AttributeValue& x) { return x.key == v; });
        };
        const auto keys = [&a] {
            std::string k;
            for (const auto& x : a.values) {
                k += (k.empty() ? "" : ", ") + x.key;
            }
            return k;
        };
        const std::string& v = values.front();
        switch (a.datatype) {
        case AttributeType::number:
            if (const auto n = parse_number(v)) {
                out[a.code] = *n;
            } else {
                problems.push_back({name, "must be a number, not '" + v + "'"});
            }
            break;
        case AttributeType::datetime:
            if (core::parse_w3c_datetime(v)) {
                out[a.code] = v;
            } else {
                problems.push_back({name, "must be a W3C date-time with a zone (e.g. "
                                          "2026-11-20T18:30:00Z), not '" +
                                              v + "'"});
            }
            break;
        case AttributeType::singlevaluelist:
            if (in_list(v)) {
                out[a.code] = v;
            } else {
                problems.push_back({name, "must be one of " + keys() + ", not '" + v + "'"});
            }
            break;
        case AttributeType::multivaluelist: {
            bool ok = true;
            for (const auto& each : values) {
                if (!in_list(each)) {
                    problems.push_back(
                        {name, "values must be among " + keys() + ", not '" + each + "'"});
                    ok = false;
                }
            }
            if (ok) {
                out[a.code] = values;
            }
            break;
        }
        case AttributeType::string:
        case AttributeType::text:
            if (utf8_length(v) > RequestService::max_description_chars) {
                problems.push_back({name, "is longer than 4000 characters"});
            } else {
                out[a.code] = v;
            }
            break;
        }
    }
    // Attributes the service does not define (a client's own id, a UPRN) are kept as given.
    for (const auto& [code, values] : given) {
        if (service.attribute(code) == nullptr && out.size() < 64 && !values.empty() &&
            values.front().size() <= 1000) {
            out[code] =
                values.size() == 1 ? nlohmann::json(values.front()) : nlohmann::json(values);
        }
    }
    return out;
}

std::string choose_priority(const ServiceDefinition& service, const nlohmann::json& answers) {
    for (const auto& rule : service.priority_rules) {
        if (!answers.contains(rule.attribute)) {
            continue;
        }
        const auto& v = answers[rule.attribute];
        const bool hit = v.is_array() ? std::find(v.begin(), v.end(), rule.value) != v.end()
                                      : v.is_string() && v.get<std::string>() == rule.value;
        if (hit) {
            return rule.priority;
        }
    }
    return service.default_priority;
}

/// "in_progress" -> "in progress", for messages.
std::string words(std::string status) {
    std::replace(status.begin(), status.end(), '_', ' ');
    return status;
}

std::optional<std::int64_t> optional_int(const store::Statement& st, int col) {
    return st.is_null(col) ? std::nullopt : std::optional<std::int64_t>(st.int64(col));
}

/// Sets `to` from `from`, reusing the buffer `to` already holds.
void assign_optional(std::optional<std::string>& to, std::optional<std::string_view> from) {
    if (!from) {
        to.reset();
    } else if (to) {
        to->assign(*from);
    } else {
        to.emplace(*from);
    }
}

} // namespace request_detail

using namespace request_detail;

const StatusInfo* status_info(std::string_view status) {
    for (const auto& s : statuses) {
        if (status == s.status) {
            return &s;
        }
    }
    return nullptr;
}

std::optional<std::string> media_url_problem(const std::string& u) {
    if (u.size() > 2048) {
        return "must be at most 2048 characters";
    }
    for (const unsigned char c : u) {
        if (c <= 0x20 || c == 0x7f) {
            return "must be a URL without spaces or control characters";
        }
    }
    std::string scheme;
    const auto colon = u.find(':');
    if (colon != std::string::npos) {
        for (const char c : u.substr(0, colon)) {
            scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (scheme == "http" || scheme == "https") {
        const auto rest = std::string_view(u).substr(colon + 1);
        // "//" and then a host: not "///path", not "//" alone.
        if (!rest.starts_with("//") || rest.size() < 3 || rest[2] == '/' || rest[2] == '?' ||
            rest[2] == '#') {
            return "must be an absolute http: or https: URL with a host";
        }
        return std::nullopt;
    }
    // This server's own photos, as the path GET /media/photos/{id}.jpg serves.
    constexpr std::string_view own = "/media/photos/";
    if (u.starts_with(own) && u.size() > own.size() &&
        std::all_of(
            u.begin() + static_cast<std::ptrdiff_t>(own.size()), u.end(),
            [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.'; }) &&
        u.find("..") == std::string::npos && u.ends_with(".jpg")) {
        return std::nullopt;
    }
    return "must be an absolute http: or https: URL (or this server's /media/photos/ path)";
}

bool plausible_email(const std::string& email) {
    const auto at = email.find('@');
    return email.size() <= 254 && at != std::string::npos && at > 0 &&
           email.find('.', at) != std::string::npos && email.back() != '.' &&
           email.find_first_of(" \t\r\n<>,;\"") == std::string::npos &&
           email.find('@', at + 1) == std::string::npos;
}

RequestService::RequestService(store::ConnectionPool& pool,
                               std::shared_ptr<const geo::BngTransform> transform,
                               const CatalogueService& catalogues,
                               const WardService& wards,
                               const AddressService& addresses,
                               const StreetService& streets,
                               Clock clock,
                               std::string public_url)
    : m_pool(pool), m_transform(std::move(transform)), m_catalogues(catalogues), m_wards(wards),
      m_addresses(addresses), m_streets(streets), m_clock(std::move(clock)),
      m_public_url(link_base(std::move(public_url))) {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
}

core::UnixSeconds RequestService::now() const {
    return m_clock ? m_clock() : core::now_seconds();
}

void RequestService::sync_categories() const {
    const auto catalogue = this->catalogue();
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto st = db->prepare("INSERT INTO service_categories (code, name, group_name) VALUES "
                          "(?1, ?2, ?3) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
                          "group_name = excluded.group_name");
    for (const auto& s : catalogue->services()) {
        st.bind(1, s.code).bind(2, s.name).bind(3, s.group).run();
    }
    tx.commit();
}

ApiClient RequestService::authenticate(const std::optional<std::string>& api_key,
                                       bool need_staff) const {
    auto db = m_pool.acquire();
    return authenticate_api_key(*db, api_key, need_staff);
}

void RequestService::admit(const ApiClient& client, const std::string& client_address) const {
    const std::string key = "key " + std::to_string(client.id);
    for (const auto& [bucket, limit, scope] :
         {std::tuple{key + " from " + client_address, client.per_address, "per client address"},
          std::tuple{key, client.per_key, "for this api_key"}}) {
        if (!limit) {
            continue;
        }
        // A given clock's seconds stand in for the steady clock's: both only move forwards.
        const auto wait =
            m_clock ? m_limiter.take(bucket, *limit,
                                     RateLimiter::Clock::time_point(std::chrono::seconds(now())))
                    : m_limiter.take(bucket, *limit);
        if (wait) {
            DomainError e(ErrorCode::rate_limited, "rate limit of " + limit->to_string() + " " +
                                                       scope + " reached; try again in " +
                                                       std::to_string(*wait) + " s");
            e.with_retry_after(*wait);
            throw e;
        }
    }
}

} // namespace wardmap::services
