#include "server/services/request_service.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/errors.hpp"
#include "server/services/photo_store.hpp"
#include "server/services/working_days.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sodium.h>
#include <tuple>

namespace wardmap::services {

namespace {

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

[[noreturn]] void fail_with(std::vector<FieldProblem> problems) {
    std::string detail;
    for (const auto& p : problems) {
        detail += detail.empty() ? "" : "; ";
        detail += "'" + p.name + "' " + p.message;
    }
    throw DomainError(ErrorCode::invalid_parameter, detail, std::move(problems));
}

std::optional<UnixSeconds> parse_stored(std::optional<std::string_view> text) {
    return text ? parse_stored_utc(*text) : std::nullopt;
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
            if (parse_w3c_datetime(v)) {
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

constexpr const char* public_columns =
    "r.id, r.category_code, r.status, r.description, r.address, r.uprn, r.postcode, "
    "r.created_at, r.updated_at, r.closed_at, r.expected_at, r.media_url, r.source, "
    "r.ward_code, r.usrn, r.priority, r.duplicate_of, r.geom_wgs84, r.status_note, r.geom, "
    "r.photo_id ";

/// What pollers of servicerequestupdates read for a reporter's reopening: the reporter's own
/// text stays between them and the council.
constexpr const char* reporter_reopened_note = "Reopened by the reporter";

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

} // namespace

const StatusInfo* status_info(std::string_view status) {
    for (const auto& s : statuses) {
        if (status == s.status) {
            return &s;
        }
    }
    return nullptr;
}

std::string random_url_token() {
    std::array<unsigned char, 18> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    // 18 bytes = 144 bits = 24 URL-safe characters of 6 bits.
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const unsigned v =
            (unsigned{bytes[i]} << 16) | (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) {
            out += alphabet[(v >> static_cast<unsigned>(shift)) & 63U];
        }
    }
    return out;
}

bool plausible_email(const std::string& email) {
    const auto at = email.find('@');
    return email.size() <= 254 && at != std::string::npos && at > 0 &&
           email.find('.', at) != std::string::npos && email.back() != '.' &&
           email.find_first_of(" \t\r\n<>,;\"") == std::string::npos &&
           email.find('@', at + 1) == std::string::npos;
}

std::string sha256_hex(std::string_view text) {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                       text.size());
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char b : digest) {
        out += hex[b >> 4U];
        out += hex[b & 15U];
    }
    return out;
}

std::string issue_api_key(store::Database& db,
                          const std::string& name,
                          const std::string& role,
                          const std::string& channel,
                          const std::optional<std::string>& per_address,
                          const std::optional<std::string>& per_key) {
    for (const auto& [option, text] :
         {std::pair{"rate-limit", per_address}, std::pair{"key-rate-limit", per_key}}) {
        if (text && !RateLimit::parse(*text)) {
            invalid_parameter(option, "must be a count per period such as 10/min, 100/hour or "
                                      "1000/day, not '" +
                                          *text + "'");
        }
    }
    if (name.empty() || name.size() > 100) {
        invalid_parameter("name", "must be 1 to 100 characters");
    }
    if (role != "client" && role != "staff") {
        invalid_parameter("role", "must be client or staff, not '" + role + "'");
    }
    if (channel.empty() || channel.size() > 20) {
        invalid_parameter("channel", "must be 1 to 20 characters (web, app, staff, ...)");
    }
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
    auto used = db.prepare("SELECT 1 FROM api_keys WHERE name = ?1 AND revoked_at IS NULL");
    used.bind(1, name);
    if (used.step()) {
        invalid_parameter("name", "'" + name + "' already has a live key (revoke it first)");
    }
    const std::string key = random_url_token() + random_url_token().substr(0, 8);
    auto st = db.prepare("INSERT INTO api_keys (key_sha256, name, role, channel, created_at, "
                         "rate_limit_per_address, rate_limit_per_key) VALUES (?1, ?2, ?3, ?4, "
                         "?5, ?6, ?7)");
    st.bind(1, sha256_hex(key)).bind(2, name).bind(3, role).bind(4, channel);
    st.bind(5, format_utc(now_seconds()));
    st.bind(6, per_address ? std::optional(RateLimit::parse(*per_address)->to_string())
                           : std::nullopt);
    st.bind(7, per_key ? std::optional(RateLimit::parse(*per_key)->to_string()) : std::nullopt);
    st.run();
    return key;
}

int revoke_api_keys(store::Database& db, const std::string& name) {
    auto st =
        db.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL");
    st.bind(1, name).bind(2, format_utc(now_seconds())).run();
    return db.changes();
}

RequestService::RequestService(store::ConnectionPool& pool,
                               std::shared_ptr<const geo::BngTransform> transform,
                               const CatalogueService& catalogues,
                               const WardService& wards,
                               const AddressService& addresses,
                               const StreetService& streets)
    : m_pool(pool), m_transform(std::move(transform)), m_catalogues(catalogues), m_wards(wards),
      m_addresses(addresses), m_streets(streets) {
    if (sodium_init() < 0) {
        throw std::runtime_error("libsodium could not be initialised");
    }
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
    if (!api_key) {
        throw DomainError(ErrorCode::forbidden, "an api_key is required",
                          {{"api_key", "is required"}});
    }
    auto db = m_pool.acquire();
    auto st = db->prepare_cached("SELECT id, name, role, channel, rate_limit_per_address, "
                                 "rate_limit_per_key FROM api_keys WHERE key_sha256 = ?1 AND "
                                 "revoked_at IS NULL");
    st.bind(1, sha256_hex(*api_key));
    if (!st.step()) {
        throw DomainError(ErrorCode::forbidden, "invalid api_key", {{"api_key", "is not valid"}});
    }
    const auto limit = [&st](int col) {
        const auto text = st.optional_text(col);
        return text ? RateLimit::parse(*text) : std::nullopt;
    };
    ApiClient client{st.int64(0),
                     std::string(st.text(1)),
                     st.text(2) == "staff" ? KeyRole::staff : KeyRole::client,
                     std::string(st.text(3)),
                     limit(4),
                     limit(5)};
    if (need_staff && client.role != KeyRole::staff) {
        throw DomainError(ErrorCode::forbidden,
                          "this api_key may not post updates (a staff key is needed)",
                          {{"api_key", "is not a staff key"}});
    }
    return client;
}

void RequestService::admit(const ApiClient& client, const std::string& client_address) const {
    const std::string key = "key " + std::to_string(client.id);
    for (const auto& [bucket, limit, scope] :
         {std::tuple{key + " from " + client_address, client.per_address, "per client address"},
          std::tuple{key, client.per_key, "for this api_key"}}) {
        if (!limit) {
            continue;
        }
        if (const auto wait = m_limiter.take(bucket, *limit)) {
            DomainError e(ErrorCode::rate_limited, "rate limit of " + limit->to_string() + " " +
                                                       scope + " reached; try again in " +
                                                       std::to_string(*wait) + " s");
            e.with_retry_after(*wait);
            throw e;
        }
    }
}

CreatedRequest RequestService::create(const NewRequest& request) const {
    const auto catalogue = this->catalogue();
    const ApiClient client = authenticate(request.api_key, false);
    admit(client, request.client_address);
    if (!request.service_code) {
        invalid_parameter("service_code", "is required");
    }
    const ServiceDefinition* service = catalogue->find(*request.service_code);
    if (service == nullptr || service->retired) {
        throw DomainError(ErrorCode::not_found,
                          "service_code '" + *request.service_code + "' not found",
                          {{"service_code", "is not a service of this council"}});
    }
    std::vector<FieldProblem> problems;
    const std::string description = request.description.value_or("");
    if (utf8_length(description) > max_description_chars) {
        problems.push_back({"description", "is longer than 4000 characters (" +
                                               std::to_string(utf8_length(description)) + ")"});
    }

    // Where: a point, a UPRN, or an address to look up in the gazetteer.
    std::optional<geo::EastNorth> at;
    std::optional<geo::LonLat> wgs84;
    std::optional<AddressHit> place;
    if (request.lat || request.lon) {
        const double lat = request.lat ? parse_number(*request.lat).value_or(NAN) : NAN;
        const double lon = request.lon ? parse_number(*request.lon).value_or(NAN) : NAN;
        if (!request.lat || !request.lon) {
            problems.push_back({request.lat ? "long" : "lat",
                                "is required with " + std::string(request.lat ? "lat" : "long")});
        } else if (!(lat >= -90 && lat <= 90)) {
            problems.push_back(
                {"lat", "must be a latitude in degrees (WGS84), not '" + *request.lat + "'"});
        } else if (!(lon >= -180 && lon <= 180)) {
            problems.push_back(
                {"long", "must be a longitude in degrees (WGS84), not '" + *request.lon + "'"});
        } else {
            try {
                at = m_transform->to_bng({lon, lat});
                wgs84 = geo::LonLat{lon, lat};
            } catch (const geo::GeoError&) {
                problems.push_back({"lat", "with long, is outside Great Britain (Chorley Council "
                                           "takes reports within the borough only)"});
            }
        }
    } else if (request.address_id) {
        const auto uprn = parse_id(*request.address_id);
        place = uprn ? m_addresses.address_of(*uprn) : std::nullopt;
        if (!place) {
            problems.push_back({"address_id", "must be the UPRN of a property in the council's "
                                              "gazetteer, not '" +
                                                  *request.address_id + "'"});
        }
    } else if (request.address_string) {
        try {
            const auto hits = request.address_string->size() <= 200
                                  ? m_addresses.find(*request.address_string, 1)
                                  : std::vector<AddressHit>{};
            if (!hits.empty()) {
                place = hits.front();
            }
        } catch (const DomainError&) {
            // no usable words: reported below as not found
        }
        if (!place) {
            problems.push_back({"address_string", "'" + *request.address_string +
                                                      "' was not found in the council's "
                                                      "gazetteer; give lat and long instead"});
        }
    } else {
        problems.push_back({"lat", "a location is required: lat and long, address_id (a UPRN) "
                                   "or address_string"});
    }
    if (place) {
        at = place->at;
    }

    if (request.email && !plausible_email(*request.email)) {
        problems.push_back({"email", "must be an email address"});
    }
    const auto answers = check_attributes(*service, request.attributes, problems);
    const auto photo_ids = request.photo_id
                               ? parse_photo_ids(*request.photo_id, "photo_id", problems)
                               : std::vector<std::string>{};
    if (photo_ids.size() + request.uploads.size() > max_photos_per_item) {
        problems.push_back({request.uploads.empty() ? "photo_id" : "media",
                            "at most " + std::to_string(max_photos_per_item) +
                                " photos are taken with a request"});
    }
    const bool anonymous = !request.email && !request.phone && !request.first_name &&
                           !request.last_name && !request.account_id;
    if (!service->anonymous_allowed && !request.email && !request.phone) {
        problems.push_back({"email", "is required for " + service->name +
                                         " (or phone): this service does not take anonymous "
                                         "reports"});
    }
    if (!problems.empty()) {
        fail_with(std::move(problems));
    }

    const UnixSeconds now = now_seconds();
    const auto* ward = m_wards.index()->find(*at, uk_date(now));
    if (ward == nullptr) {
        invalid_parameter(place ? (request.address_id ? "address_id" : "address_string") : "lat",
                          "is outside " + catalogue->council() +
                              "'s area: the council only takes reports within its wards");
    }
    if (!place) {
        place = m_addresses.nearest_address(*at, uprn_radius_m);
    }
    if (!wgs84) {
        wgs84 = m_transform->to_wgs84(*at);
    }
    std::optional<std::int64_t> usrn = m_streets.nearest_usrn(*at, usrn_radius_m);
    if (!usrn && place) {
        usrn = place->usrn;
    }
    const std::string priority = choose_priority(*service, answers);
    const Date due = add_working_days(uk_date(now), service->priority(priority).sla_working_days);
    const UnixSeconds expected = uk_instant(due, uk_seconds_of_day(now));
    const std::string token = random_url_token();

    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto insert = db->prepare_cached(
        "INSERT INTO service_requests (category_code, status, description, address, uprn, usrn, "
        "ward_code, source, created_at, updated_at, priority, expected_at, token_sha256, "
        "attributes, postcode, media_url, anonymous, private, api_key_id, geom, geom_wgs84) "
        "VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
        "?16, ?17, MakePoint(?18, ?19, 27700), MakePoint(?20, ?21, 4326))");
    insert.bind(1, service->code).bind(2, description);
    insert.bind(3, place ? std::optional<std::string>(place->address) : std::nullopt);
    insert.bind(4, place ? std::optional<std::int64_t>(place->uprn) : std::nullopt);
    insert.bind(5, usrn).bind(6, ward->code).bind(7, client.channel).bind(8, format_utc(now));
    insert.bind(9, priority).bind(10, format_utc(expected)).bind(11, sha256_hex(token));
    insert.bind(12, answers.dump()).bind(13, place ? place->postcode : std::nullopt);
    insert.bind(14, request.media_url).bind(15, anonymous ? 1 : 0);
    insert.bind(16, service->is_private ? 1 : 0).bind(17, client.id);
    insert.bind(18, at->easting).bind(19, at->northing).bind(20, wgs84->lon).bind(21, wgs84->lat);
    insert.run();
    const std::int64_t id = db->last_insert_rowid();
    if (!anonymous || request.device_id) {
        auto contact = db->prepare_cached(
            "INSERT INTO service_request_contacts (request_id, first_name, last_name, email, "
            "phone, account_id, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        contact.bind(1, id).bind(2, request.first_name).bind(3, request.last_name);
        contact.bind(4, request.email).bind(5, request.phone).bind(6, request.account_id);
        contact.bind(7, request.device_id).run();
    }
    auto history = db->prepare_cached(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public, api_key_id) VALUES (?1, ?2, ?3, NULL, 'open', '', 1, ?4)");
    history.bind(1, id).bind(2, format_utc(now)).bind(3, "client:" + client.name);
    history.bind(4, client.id).run();
    std::vector<std::string> photos = photo_ids;
    for (const auto& upload : request.uploads) {
        photos.push_back(insert_photo(*db, upload, client.id, now));
    }
    attach_photos(*db, photos, id, std::nullopt, "photo_id");
    tx.commit();
    return CreatedRequest{id, token, service->service_notice, request.account_id};
}

void RequestService::scan(const std::string& where,
                          const std::vector<std::string>& binds,
                          const QueryOptions& options,
                          const RowCallback& each) const {
    const bool include_private = options.include_private;
    const auto catalogue = this->catalogue();
    // Only services the catalogue lists as public; never a request marked private.
    std::string codes;
    std::vector<std::string> all = binds;
    for (const auto& s : catalogue->services()) {
        if (!s.is_private && !include_private) {
            all.push_back(s.code);
            codes += (codes.empty() ? "?" : ", ?") + std::to_string(all.size());
        }
    }
    auto db = m_pool.acquire();
    // The unary + keeps SQLite from driving the query by the category index (one range scan
    // per public service, then a sort): the privacy filter checks rows, the date or id index
    // finds them (bench/open311.sh: 10-30 ms -> 1-8 ms at 1,000,000 requests).
    const std::string privacy = include_private
                                    ? std::string("1")
                                    : "r.private = 0 AND +r.category_code IN (" + codes + ")";
    const std::string sql = std::string("SELECT ") + public_columns +
                            "FROM service_requests r WHERE " + privacy + " AND " + where +
                            " ORDER BY r.created_at DESC, r.id DESC LIMIT " +
                            std::to_string(options.limit);
    auto st = options.fixed_text ? db->prepare_cached(sql) : db->prepare(sql);
    for (std::size_t i = 0; i < all.size(); ++i) {
        st.bind(static_cast<int>(i + 1), all[i]);
    }
    const UnixSeconds now = now_seconds();
    // One row object for the whole walk: assigning into its strings reuses their buffers, so
    // a 1,000-request list does not allocate per field.
    PublicRequest r;
    while (st.step()) {
        r.id = st.int64(0);
        r.service_code.assign(st.text(1));
        const ServiceDefinition* service = catalogue->find(r.service_code);
        r.service_name.assign(service ? service->name : r.service_code);
        assign_optional(r.agency_responsible,
                        service && service->agency_responsible
                            ? std::optional<std::string_view>(*service->agency_responsible)
                            : std::optional<std::string_view>(catalogue->council()));
        assign_optional(r.service_notice,
                        service && service->service_notice
                            ? std::optional<std::string_view>(*service->service_notice)
                            : std::nullopt);
        r.status.assign(st.text(2));
        const auto* info = status_info(r.status);
        r.open = info == nullptr || info->open;
        r.description.assign(st.text(3));
        assign_optional(r.address, st.optional_text_view(4));
        r.uprn = optional_int(st, 5);
        assign_optional(r.postcode, st.optional_text_view(6));
        r.requested = parse_stored(st.optional_text_view(7)).value_or(0);
        r.updated = parse_stored(st.optional_text_view(8)).value_or(r.requested);
        if (const auto closed = parse_stored(st.optional_text_view(9)); closed && !r.open) {
            r.updated = *closed;
        }
        r.expected = parse_stored(st.optional_text_view(10));
        assign_optional(r.media_url, st.optional_text_view(11));
        r.channel.assign(st.text(12));
        assign_optional(r.ward_code, st.optional_text_view(13));
        r.usrn = optional_int(st, 14);
        assign_optional(r.priority, st.optional_text_view(15));
        r.duplicate_of = optional_int(st, 16);
        if (const auto lon_lat = store::spatialite_point_xy(st.blob(17))) {
            std::tie(r.lon, r.lat) = *lon_lat;
        } else {
            r.lon = r.lat = 0;
        }
        assign_optional(r.status_notes, st.optional_text_view(18));
        if (const auto at = store::spatialite_point_xy(st.blob(19))) {
            r.at = geo::EastNorth{at->first, at->second};
        } else {
            r.at = {};
        }
        assign_optional(r.photo_id, st.optional_text_view(20));
        r.overdue = r.open && r.expected && *r.expected < now;
        each(r);
    }
}

std::vector<PublicRequest> RequestService::query(const std::string& where,
                                                 const std::vector<std::string>& binds,
                                                 const QueryOptions& options) const {
    std::vector<PublicRequest> out;
    scan(where, binds, options, [&out](const PublicRequest& r) { out.push_back(r); });
    return out;
}

void RequestService::list(const RequestQuery& q, const RowCallback& each) const {
    if (!q.ids.empty()) {
        std::string ids;
        for (const auto id : q.ids) {
            ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        }
        scan("r.id IN (" + ids + ")", {}, {.limit = max_requests}, each);
        return;
    }
    const UnixSeconds window = static_cast<UnixSeconds>(default_window_days) * 86400;
    UnixSeconds end = q.end.value_or(q.start ? *q.start + window : now_seconds());
    UnixSeconds start = q.start.value_or(end - window);
    if (start > end) {
        invalid_parameter("start_date", "is after end_date");
    }
    if (end - start > window) {
        invalid_parameter("end_date", "is more than 90 days after start_date (the most one "
                                      "query may span)");
    }
    std::vector<std::string> binds{format_utc(start), format_utc(end)};
    std::string where = "r.created_at >= ?1 AND r.created_at <= ?2";
    if (!q.service_codes.empty()) {
        where += " AND r.category_code IN (";
        for (std::size_t i = 0; i < q.service_codes.size(); ++i) {
            binds.push_back(q.service_codes[i]);
            where += (i == 0 ? "?" : ", ?") + std::to_string(binds.size());
        }
        where += ")";
    }
    if (q.include_open != q.include_closed) {
        // is_open (0012) is indexed with created_at: the walk meets only rows that match.
        where += q.include_open ? " AND r.is_open = 1" : " AND r.is_open = 0";
    } else if (!q.include_open) {
        where += " AND 0";
    }
    scan(where, binds, {.limit = max_requests, .fixed_text = true}, each);
}

PublicRequest RequestService::get(std::int64_t id) const {
    auto found = query("r.id = ?1", {std::to_string(id)}, {.fixed_text = true});
    if (found.empty()) {
        throw DomainError(ErrorCode::not_found,
                          "service_request_id " + std::to_string(id) + " not found");
    }
    return std::move(found.front());
}

std::int64_t RequestService::id_for_token(const std::string& token) const {
    auto db = m_pool.acquire();
    auto st = db->prepare_cached("SELECT id FROM service_requests WHERE token_sha256 = ?1");
    st.bind(1, sha256_hex(token));
    if (!st.step()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    return st.int64(0);
}

std::vector<PublicUpdate> RequestService::updates(std::optional<UnixSeconds> start,
                                                  std::optional<UnixSeconds> end) const {
    const auto catalogue = this->catalogue();
    if (start.has_value() != end.has_value()) {
        invalid_parameter(start ? "end_date" : "start_date",
                          "is required with " + std::string(start ? "start_date" : "end_date") +
                              " (give both or neither)");
    }
    const UnixSeconds to = end.value_or(now_seconds());
    const UnixSeconds from =
        start.value_or(to - static_cast<UnixSeconds>(default_window_days) * 86400);
    if (from > to) {
        invalid_parameter("start_date", "is after end_date");
    }
    std::vector<std::string> binds{format_utc(from), format_utc(to), reporter_reopened_note};
    std::string codes;
    for (const auto& s : catalogue->services()) {
        if (!s.is_private) {
            binds.push_back(s.code);
            codes += (codes.empty() ? "?" : ", ?") + std::to_string(binds.size());
        }
    }
    auto db = m_pool.acquire();
    // A reporter's own entries are private notes, but a status change they make (reopening)
    // is public fact: pollers see it with a fixed description and never the reporter's words.
    auto st = db->prepare(
        "SELECT h.id, h.request_id, h.to_status, h.at, CASE WHEN h.public = 1 THEN h.note "
        "ELSE ?3 END, CASE WHEN h.public = 1 THEN h.media_url END, CASE WHEN h.public = 1 THEN "
        "(SELECT p.id FROM photos p WHERE p.history_id = h.id ORDER BY p.position LIMIT 1) END "
        "FROM "
        "service_request_history h JOIN service_requests r ON r.id = h.request_id WHERE "
        "h.from_status IS NOT NULL AND (h.public = 1 OR (h.actor = 'reporter' AND "
        "h.to_status <> h.from_status)) AND r.private = 0 AND h.at >= ?1 AND "
        "h.at <= ?2 AND r.category_code IN (" +
        codes + ") ORDER BY h.at, h.id LIMIT " + std::to_string(max_requests));
    for (std::size_t i = 0; i < binds.size(); ++i) {
        st.bind(static_cast<int>(i + 1), binds[i]);
    }
    std::vector<PublicUpdate> out;
    while (st.step()) {
        out.push_back(PublicUpdate{st.int64(0), st.int64(1), std::string(st.text(2)),
                                   parse_w3c_datetime(st.text(3)).value_or(0),
                                   std::string(st.text(4)), st.optional_text(5),
                                   st.optional_text(6)});
    }
    return out;
}

std::int64_t RequestService::post_update(const StatusUpdate& u) const {
    const ApiClient client = authenticate(u.api_key, true);
    admit(client, u.client_address);
    std::vector<FieldProblem> problems;
    const auto required = [&problems](const std::optional<std::string>& v, const char* name) {
        if (!v) {
            problems.push_back({name, "is required"});
        }
    };
    required(u.service_request_id, "service_request_id");
    required(u.update_id, "update_id");
    required(u.status, "status");
    required(u.updated_datetime, "updated_datetime");
    required(u.description, "description");
    std::optional<std::string> status;
    if (u.status) {
        status = status_from_update(*u.status);
        if (!status) {
            problems.push_back({"status", "'" + *u.status +
                                              "' is not one of OPEN, INVESTIGATING, IN_PROGRESS, "
                                              "ACTION_SCHEDULED, PLANNED, FIXED, "
                                              "NO_FURTHER_ACTION, DUPLICATE, "
                                              "NOT_COUNCILS_RESPONSIBILITY, INTERNAL_REFERRAL, "
                                              "CANCELLED, CLOSED, REOPEN, UNCHANGED"});
        }
    }
    std::optional<UnixSeconds> at;
    if (u.updated_datetime) {
        at = parse_w3c_datetime(*u.updated_datetime);
        if (!at) {
            problems.push_back({"updated_datetime", "must be a W3C date-time with a zone, not '" +
                                                        *u.updated_datetime + "'"});
        } else if (*at > now_seconds() + 300) {
            problems.push_back({"updated_datetime", "is in the future"});
        }
    }
    if (u.description && utf8_length(*u.description) > max_description_chars) {
        problems.push_back({"description", "is longer than 4000 characters"});
    }
    const auto photo_ids = u.photo_id ? parse_photo_ids(*u.photo_id, "photo_id", problems)
                                      : std::vector<std::string>{};
    std::optional<std::int64_t> duplicate_of;
    if (u.duplicate_of) {
        duplicate_of = parse_id(*u.duplicate_of);
        if (!duplicate_of) {
            problems.push_back({"duplicate_of", "must be a service_request_id"});
        } else if (status && *status != "duplicate") {
            problems.push_back({"duplicate_of", "is only taken with status DUPLICATE"});
        }
    }
    std::optional<std::int64_t> id;
    if (u.service_request_id) {
        id = parse_id(*u.service_request_id);
        if (!id) {
            problems.push_back({"service_request_id",
                                "must be a whole number, not '" + *u.service_request_id + "'"});
        }
    }
    if (!problems.empty()) {
        fail_with(std::move(problems));
    }

    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto current = db->prepare("SELECT status FROM service_requests WHERE id = ?1");
    current.bind(1, *id);
    if (!current.step()) {
        throw DomainError(ErrorCode::not_found,
                          "service_request_id " + std::to_string(*id) + " not found");
    }
    const std::string from(current.text(0));
    const auto* from_info = status_info(from);
    std::string to = *status == "unchanged" ? from : *status;
    if (to == "open" && from_info != nullptr && !from_info->open) {
        to = "reopened";
    }
    if (duplicate_of) {
        if (*duplicate_of == *id) {
            invalid_parameter("duplicate_of", "cannot be the request itself");
        }
        auto original = db->prepare("SELECT duplicate_of FROM service_requests WHERE id = ?1");
        original.bind(1, *duplicate_of);
        if (!original.step()) {
            invalid_parameter("duplicate_of", "names no request: " + std::to_string(*duplicate_of));
        }
        if (!original.is_null(0) && original.int64(0) == *id) {
            invalid_parameter("duplicate_of", "is itself a duplicate of this request");
        }
    }
    auto seen = db->prepare("SELECT 1 FROM service_request_history WHERE api_key_id = ?1 AND "
                            "external_id = ?2");
    seen.bind(1, client.id).bind(2, *u.update_id);
    if (seen.step()) {
        invalid_parameter("update_id", "'" + *u.update_id + "' already exists");
    }
    const std::string when = format_utc(*at);
    auto history = db->prepare(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public, api_key_id, external_id, duplicate_of, media_url) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9, ?10)");
    history.bind(1, *id).bind(2, when).bind(3, "staff:" + client.name).bind(4, from);
    history.bind(5, to).bind(6, *u.description).bind(7, client.id).bind(8, *u.update_id);
    history.bind(9, duplicate_of).bind(10, u.media_url).run();
    const std::int64_t update_id = db->last_insert_rowid();
    attach_photos(*db, photo_ids, *id, update_id, "photo_id");
    const bool closed = !status_info(to)->open;
    auto change = db->prepare(
        "UPDATE service_requests SET status = ?2, updated_at = max(updated_at, ?3), "
        "closed_at = CASE WHEN ?4 THEN coalesce(closed_at, ?3) ELSE NULL END, "
        "duplicate_of = CASE WHEN ?2 = 'duplicate' THEN coalesce(?5, duplicate_of) ELSE NULL END "
        "WHERE id = ?1");
    change.bind(1, *id).bind(2, to).bind(3, when).bind(4, closed ? 1 : 0).bind(5, duplicate_of);
    change.run();
    if (to != from) {
        queue_status_messages(*db, *id, update_id, to, *u.description);
    }
    tx.commit();
    return update_id;
}

void RequestService::queue_status_messages(store::Database& db,
                                           std::int64_t id,
                                           std::int64_t history_id,
                                           const std::string& status,
                                           const std::string& note) const {
    const auto catalogue = this->catalogue();
    auto category = db.prepare_cached("SELECT category_code FROM service_requests WHERE id = ?1");
    category.bind(1, id);
    std::string service_name = "service request";
    if (category.step()) {
        const auto* service = catalogue->find(std::string(category.text(0)));
        service_name = service ? service->name : std::string(category.text(0));
    }
    const std::string subject =
        "Your " + service_name + " report " + std::to_string(id) + " is now " + words(status);
    std::string body = catalogue->council() + "\n\nThe " + service_name + " report " +
                       std::to_string(id) + " is now: " + words(status) + ".\n";
    if (!note.empty()) {
        body += "\n" + note + "\n";
    }
    body += "\nYou are receiving this because you reported or followed this problem.\n";
    const std::string now = format_utc(now_seconds());
    // The reporter (when they gave an email) and every follower, once each.
    auto queue = db.prepare_cached(
        "INSERT INTO notification_outbox (request_id, history_id, recipient, subject, body, "
        "created_at, next_attempt_at) SELECT ?1, ?2, email, ?3, ?4, ?5, ?5 FROM ("
        "SELECT email FROM service_request_contacts WHERE request_id = ?1 AND email IS NOT NULL "
        "UNION SELECT email FROM service_request_followers WHERE request_id = ?1)");
    queue.bind(1, id).bind(2, history_id).bind(3, subject).bind(4, body).bind(5, now).run();
}

std::vector<NearbyRequest> RequestService::duplicates(const std::string& service_code,
                                                      const PointInput& point) const {
    const auto catalogue = this->catalogue();
    const geo::EastNorth at = point_to_bng(point, *m_transform);
    const ServiceDefinition* service = catalogue->find(service_code);
    if (service == nullptr || service->is_private || service->retired) {
        throw DomainError(ErrorCode::not_found, "no public service '" + service_code + "'",
                          {{"service_code", "is not a public service"}});
    }
    const double r = service->duplicate_radius_m;
    std::vector<NearbyRequest> out;
    if (r <= 0) {
        return out;
    }
    char box[160];
    std::snprintf(box, sizeof box,
                  "xmin <= %.3f AND xmax >= %.3f AND ymin <= %.3f AND ymax >= %.3f", at.easting + r,
                  at.easting - r, at.northing + r, at.northing - r);
    const auto rows =
        query(std::string("r.id IN (SELECT pkid FROM idx_service_requests_geom WHERE ") + box +
                  ") AND r.category_code = ?1 AND r.is_open = 1",
              {service_code}, {.limit = max_requests});
    for (const auto& row : rows) {
        const double d = std::hypot(row.at.easting - at.easting, row.at.northing - at.northing);
        if (d <= r) {
            out.push_back(NearbyRequest{row, d});
        }
    }
    std::sort(out.begin(), out.end(), [](const NearbyRequest& a, const NearbyRequest& b) {
        return a.distance_m != b.distance_m ? a.distance_m < b.distance_m
                                            : a.request.id < b.request.id;
    });
    if (out.size() > 20) {
        out.resize(20);
    }
    return out;
}

Tracking RequestService::track(const std::string& token) const {
    const std::int64_t id = id_for_token(token);
    auto found =
        query("r.id = ?1", {std::to_string(id)}, {.include_private = true, .fixed_text = true});
    if (found.empty()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    return tracking_of(std::move(found.front()));
}

Tracking RequestService::tracking_of(PublicRequest request) const {
    const std::int64_t id = request.id;
    Tracking t{std::move(request), {}, {}};
    auto db = m_pool.acquire();
    t.photo_ids = photo_ids_of(*db, id, std::nullopt);
    auto st = db->prepare("SELECT at, from_status, to_status, note, actor, id FROM "
                          "service_request_history WHERE request_id = ?1 ORDER BY at, id");
    st.bind(1, id);
    std::vector<std::int64_t> history_ids;
    while (st.step()) {
        t.history.push_back(TrackEntry{parse_w3c_datetime(st.text(0)).value_or(0),
                                       st.optional_text(1),
                                       std::string(st.text(2)),
                                       std::string(st.text(3)),
                                       st.text(4).starts_with("staff:"),
                                       {}});
        history_ids.push_back(st.int64(5));
    }
    for (std::size_t i = 0; i < history_ids.size(); ++i) {
        t.history[i].photo_ids = photo_ids_of(*db, id, history_ids[i]);
    }
    return t;
}

std::vector<Tracking> RequestService::reports_by_email(const std::string& folded_email) const {
    std::string ids;
    {
        auto db = m_pool.acquire();
        auto st = db->prepare("SELECT request_id FROM service_request_contacts WHERE "
                              "lower(trim(email)) = ?1 ORDER BY request_id DESC LIMIT " +
                              std::to_string(max_requests));
        st.bind(1, folded_email);
        while (st.step()) {
            ids += (ids.empty() ? "" : ", ") + std::to_string(st.int64(0));
        }
    }
    std::vector<Tracking> out;
    if (ids.empty()) {
        return out;
    }
    for (auto& r :
         query("r.id IN (" + ids + ")", {}, {.limit = max_requests, .include_private = true})) {
        out.push_back(tracking_of(std::move(r)));
    }
    std::sort(out.begin(), out.end(),
              [](const Tracking& a, const Tracking& b) { return a.request.id > b.request.id; });
    return out;
}

void RequestService::add_reporter_update(const std::string& token,
                                         const std::string& text,
                                         bool reopen,
                                         const std::optional<std::string>& photo_id) const {
    std::vector<FieldProblem> problems;
    const auto photo_ids =
        photo_id ? parse_photo_ids(*photo_id, "photo_id", problems) : std::vector<std::string>{};
    if (!problems.empty()) {
        fail_with(std::move(problems));
    }
    if (text.empty() && !reopen && photo_ids.empty()) {
        invalid_parameter("text", "is required (or a photo_id)");
    }
    if (utf8_length(text) > max_description_chars) {
        invalid_parameter("text", "is longer than 4000 characters");
    }
    const std::int64_t id = id_for_token(token);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    auto current = db->prepare("SELECT status FROM service_requests WHERE id = ?1");
    current.bind(1, id);
    if (!current.step()) {
        throw DomainError(ErrorCode::not_found, "token not found");
    }
    const std::string from(current.text(0));
    const auto* info = status_info(from);
    const bool open = info == nullptr || info->open;
    if (reopen && open) {
        invalid_parameter("reopen", "the request is still open");
    }
    const std::string to = reopen ? "reopened" : from;
    const std::string now = format_utc(now_seconds());
    auto history = db->prepare(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public) VALUES (?1, ?2, 'reporter', ?3, ?4, ?5, 0)");
    history.bind(1, id).bind(2, now).bind(3, from).bind(4, to).bind(5, text).run();
    const std::int64_t history_id = db->last_insert_rowid();
    attach_photos(*db, photo_ids, id, history_id, "photo_id");
    auto change = db->prepare("UPDATE service_requests SET status = ?2, updated_at = ?3, "
                              "closed_at = CASE WHEN ?4 THEN NULL ELSE closed_at END, "
                              "duplicate_of = CASE WHEN ?4 THEN NULL ELSE duplicate_of END "
                              "WHERE id = ?1");
    change.bind(1, id).bind(2, to).bind(3, now).bind(4, reopen ? 1 : 0).run();
    if (reopen) {
        queue_status_messages(*db, id, history_id, to, "");
    }
    tx.commit();
}

void RequestService::follow(std::int64_t id, const std::string& email) const {
    if (!plausible_email(email)) {
        invalid_parameter("email", "must be an email address");
    }
    (void)get(id); // public requests only: 404 otherwise
    auto db = m_pool.acquire();
    auto st = db->prepare("INSERT INTO service_request_followers (request_id, email, created_at) "
                          "VALUES (?1, ?2, ?3) ON CONFLICT (request_id, email) DO NOTHING");
    st.bind(1, id).bind(2, email).bind(3, format_utc(now_seconds())).run();
}

Kpis RequestService::kpis(const KpiQuery& q) const {
    Kpis k;
    k.catalogue = this->catalogue();
    const auto& catalogue = k.catalogue;
    k.to = q.to.value_or(today_utc());
    k.from = q.from.value_or(date_from_days(days_since_epoch(k.to) - default_window_days));
    k.ward = q.ward;
    const long span = days_since_epoch(k.to) - days_since_epoch(k.from);
    if (span < 0) {
        invalid_parameter("from", "is after 'to'");
    }
    if (span > 3 * 366) {
        invalid_parameter("to", "is more than three years after 'from'");
    }
    for (const auto& s : catalogue->services()) {
        if (!s.is_private) {
            k.by_service.emplace_back(&s, KpiFigures{});
        }
    }
    const UnixSeconds start = uk_instant(k.from, 0);
    const UnixSeconds end = uk_instant(date_from_days(days_since_epoch(k.to) + 1), 0);
    auto db = m_pool.acquire();
    auto st = db->prepare("SELECT category_code, status, source, created_at, closed_at, priority, "
                          "expected_at FROM service_requests WHERE private = 0 AND created_at >= "
                          "?1 AND created_at < ?2 AND (?3 IS NULL OR ward_code = ?3)");
    st.bind(1, format_utc(start)).bind(2, format_utc(end)).bind(3, q.ward);
    const UnixSeconds now = now_seconds();
    std::vector<double> all_days;
    std::map<const ServiceDefinition*, std::vector<double>> service_days;
    while (st.step()) {
        const ServiceDefinition* service = catalogue->find(std::string(st.text(0)));
        if (service == nullptr || service->is_private) {
            continue;
        }
        auto it = std::find_if(k.by_service.begin(), k.by_service.end(),
                               [service](const auto& p) { return p.first == service; });
        KpiFigures& f = it->second;
        const std::string status(st.text(1));
        const std::string channel(st.text(2));
        const auto created = parse_w3c_datetime(st.text(3)).value_or(0);
        const auto closed_at = parse_stored(st.optional_text(4));
        const std::string priority = st.optional_text(5).value_or(service->default_priority);
        auto expected = parse_stored(st.optional_text(6));
        if (!expected) {
            const Date due =
                add_working_days(uk_date(created), service->priority(priority).sla_working_days);
            expected = uk_instant(due, uk_seconds_of_day(created));
        }
        const auto* info = status_info(status);
        const bool open = info == nullptr || info->open;
        for (KpiFigures* g : {&k.all, &f}) {
            ++g->received;
            ++g->by_channel[channel];
            g->online += channel == "web" || channel == "app" ? 1 : 0;
            if (open) {
                ++g->open;
                g->overdue += *expected < now ? 1 : 0;
            } else {
                ++g->closed;
            }
            if (priority == "high") {
                if (!open && closed_at) {
                    ++g->high_priority_decided;
                    g->high_priority_within_target += *closed_at <= *expected ? 1 : 0;
                } else if (open && *expected < now) {
                    ++g->high_priority_decided;
                }
            }
        }
        if (!open && closed_at) {
            const double days = static_cast<double>(*closed_at - created) / 86400.0;
            all_days.push_back(days);
            service_days[service].push_back(days);
        }
    }
    const auto summarise = [](KpiFigures& f, std::vector<double>& days) {
        if (days.empty()) {
            return;
        }
        double sum = 0;
        for (const double d : days) {
            sum += d;
        }
        f.mean_days_to_close = sum / static_cast<double>(days.size());
        std::sort(days.begin(), days.end());
        const std::size_t n = days.size();
        f.median_days_to_close = n % 2 == 1 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
    };
    summarise(k.all, all_days);
    for (auto& [service, figures] : k.by_service) {
        summarise(figures, service_days[service]);
    }
    return k;
}

} // namespace wardmap::services
