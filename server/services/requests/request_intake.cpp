#include "core/working_days.hpp"

#include "geo/errors.hpp"
#include "geo/store/spatialite_point.hpp"
#include "server/services/requests/photo_store.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/shared/errors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace wardmap::services {

using namespace request_detail;

struct RequestService::CheckedRequest {
    std::shared_ptr<const ServiceCatalogue> catalogue; ///< keeps `service` valid
    const ServiceDefinition* service = nullptr;
    const NewRequest* request = nullptr;
    ApiClient client;
    core::UnixSeconds now = 0;
    std::string description;
    geo::EastNorth at;
    geo::LonLat wgs84;
    std::optional<AddressHit> place;
    std::optional<std::int64_t> usrn;
    std::string ward_code;
    nlohmann::json answers;
    std::vector<std::string> photo_ids;
    bool anonymous = true;
    std::string priority;
    core::UnixSeconds expected = 0;
    IntakeFacts facts;
};

CreatedRequest RequestService::create(const NewRequest& request) const {
    const CheckedRequest checked = check_new(request);
    auto db = m_pool.acquire();
    store::Transaction tx(*db);
    CreatedRequest created = store_new(*db, checked);
    tx.commit();
    return created;
}

CreatedRequest RequestService::create_in(store::Database& db, const NewRequest& request) const {
    return store_new(db, check_new(request));
}

RequestService::CheckedRequest RequestService::check_new(const NewRequest& request) const {
    const auto catalogue = this->catalogue();
    ApiClient client;
    if (request.raised_by) {
        // A councillor on a resident's behalf (CouncillorActions): the person, not a key.
        client.name = request.raised_by->name;
        client.channel = "councillor";
    } else {
        client = authenticate(request.api_key, false);
        admit(client, request.client_address);
    }
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
    check_media_url(request.media_url, problems);
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

    const core::UnixSeconds now = this->now();
    const auto* ward = m_wards.index()->find(*at, core::uk_date(now));
    if (ward == nullptr) {
        invalid_parameter(place ? (request.address_id ? "address_id" : "address_string") : "lat",
                          "is outside " + catalogue->council() +
                              "'s area: the council only takes reports within its wards");
    }
    if (request.raised_by &&
        std::find(request.raised_by->wards.begin(), request.raised_by->wards.end(), ward->code) ==
            request.raised_by->wards.end()) {
        throw DomainError(ErrorCode::forbidden,
                          "the point is in ward " + ward->code + " (" + ward->name +
                              "), not one of your wards",
                          {{request.address_id ? "address_id" : "lat", "is not in your wards"}});
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
    const IntakeFacts facts{.service = service,
                            .at = *at,
                            .uprn = place ? std::optional<std::int64_t>(place->uprn) : std::nullopt,
                            .usrn = usrn,
                            .attributes = &request.attributes,
                            .now = now};
    if (m_hooks.check) {
        m_hooks.check(facts);
    }
    const std::string priority = choose_priority(*service, answers);
    const core::Date due =
        core::add_working_days(core::uk_date(now), service->priority(priority).sla_working_days);
    return CheckedRequest{.catalogue = catalogue,
                          .service = service,
                          .request = &request,
                          .client = client,
                          .now = now,
                          .description = description,
                          .at = *at,
                          .wgs84 = *wgs84,
                          .place = std::move(place),
                          .usrn = usrn,
                          .ward_code = ward->code,
                          .answers = answers,
                          .photo_ids = photo_ids,
                          .anonymous = anonymous,
                          .priority = priority,
                          .expected = core::uk_instant(due, core::uk_seconds_of_day(now)),
                          .facts = facts};
}

CreatedRequest RequestService::store_new(store::Database& db, const CheckedRequest& c) const {
    const NewRequest& request = *c.request;
    const ServiceDefinition* service = c.service;
    const auto& place = c.place;
    const std::string token = random_url_token();
    auto insert = db.prepare_cached(
        "INSERT INTO service_requests (category_code, status, description, address, uprn, usrn, "
        "ward_code, source, created_at, updated_at, priority, expected_at, token_sha256, "
        "attributes, postcode, media_url, anonymous, private, api_key_id, geom, geom_wgs84) "
        "VALUES (?1, 'open', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
        "?16, ?17, MakePoint(?18, ?19, 27700), MakePoint(?20, ?21, 4326))");
    insert.bind(1, service->code).bind(2, c.description);
    insert.bind(3, place ? std::optional<std::string>(place->address) : std::nullopt);
    insert.bind(4, place ? std::optional<std::int64_t>(place->uprn) : std::nullopt);
    insert.bind(5, c.usrn).bind(6, c.ward_code).bind(7, c.client.channel);
    insert.bind(8, core::format_utc(c.now));
    insert.bind(9, c.priority).bind(10, core::format_utc(c.expected)).bind(11, sha256_hex(token));
    insert.bind(12, c.answers.dump()).bind(13, place ? place->postcode : std::nullopt);
    insert.bind(14, request.media_url).bind(15, c.anonymous ? 1 : 0);
    // A councillor's request has no API key.
    const std::optional<std::int64_t> key_id =
        request.raised_by ? std::nullopt : std::optional<std::int64_t>(c.client.id);
    insert.bind(16, service->is_private ? 1 : 0).bind(17, key_id);
    insert.bind(18, c.at.easting).bind(19, c.at.northing).bind(20, c.wgs84.lon);
    insert.bind(21, c.wgs84.lat);
    insert.run();
    const std::int64_t id = db.last_insert_rowid();
    if (!c.anonymous || request.device_id) {
        auto contact = db.prepare_cached(
            "INSERT INTO service_request_contacts (request_id, first_name, last_name, email, "
            "phone, account_id, device_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        contact.bind(1, id).bind(2, request.first_name).bind(3, request.last_name);
        contact.bind(4, request.email).bind(5, request.phone).bind(6, request.account_id);
        contact.bind(7, request.device_id).run();
    }
    auto history = db.prepare_cached(
        "INSERT INTO service_request_history (request_id, at, actor, from_status, to_status, "
        "note, public, api_key_id) VALUES (?1, ?2, ?3, NULL, 'open', ?5, ?6, ?4)");
    history.bind(1, id).bind(2, core::format_utc(c.now));
    if (request.raised_by) {
        // Who raised it is for the resident's tracking page and staff, not Open311: a private
        // entry (public = 0), so it never becomes the request's status_notes.
        const std::string& name = request.raised_by->name;
        const std::string cllr = name.starts_with("Cllr ") ? name : "Cllr " + name;
        history.bind(3, "councillor:" + name);
        history.bind(5, "raised by " + cllr + " on a resident's behalf").bind(6, 0);
    } else {
        history.bind(3, "client:" + c.client.name).bind(5, "").bind(6, 1);
    }
    history.bind(4, key_id).run();
    std::vector<std::string> photos = c.photo_ids;
    for (const auto& upload : request.uploads) {
        photos.push_back(insert_photo(db, upload, c.client.id, c.now));
    }
    attach_photos(db, photos, id, std::nullopt, "photo_id");
    if (m_hooks.stored) {
        m_hooks.stored(db, id, c.facts);
    }
    return CreatedRequest{id, token, service->service_notice, request.account_id};
}

} // namespace wardmap::services
