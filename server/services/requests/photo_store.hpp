#pragma once

#include "core/w3c_time.hpp"

#include "geo/store/connection_pool.hpp"
#include "server/services/shared/errors.hpp"
#include "server/services/shared/image_pipeline.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

class RequestService;

/// A stored photo as an upload's answer describes it.
struct StoredPhoto {
    std::string id;
    int width = 0;
    int height = 0;
};

/// Most photos one request or one update carries (as FixMyStreet).
inline constexpr std::size_t max_photos_per_item = 3;

/// The ids of a comma-separated `photo_id` value. Adds a problem (naming `field`) for an id
/// that is not 32 lower-case hex digits or for more than `max_photos_per_item`.
std::vector<std::string> parse_photo_ids(const std::string& list,
                                         const std::string& field,
                                         std::vector<FieldProblem>& problems);

/// Stores a re-encoded photo, unattached, in the caller's transaction; returns its new id
/// (128 random bits as hex).
std::string insert_photo(store::Database& db,
                         const EncodedPhoto& photo,
                         std::optional<std::int64_t> api_key_id,
                         core::UnixSeconds now);

/// Attaches unattached photos, in this order, to a request (`history_id` nullopt) or to one
/// of its updates, in the caller's transaction. invalid_parameter naming `field` when an id
/// is unknown, swept or already attached.
void attach_photos(store::Database& db,
                   const std::vector<std::string>& ids,
                   std::int64_t request_id,
                   std::optional<std::int64_t> history_id,
                   const std::string& field);

/// Shows a crew's completion photos (already stored by the completion, 0017) on a request's
/// update, in this order, in the caller's transaction: a job's "after" photo on the update
/// that closes its request. They stay the completion's too. invalid_parameter naming `field`
/// for a photo that is not a completion's or is on a request already.
void attach_completion_photos(store::Database& db,
                              const std::vector<std::string>& ids,
                              std::int64_t request_id,
                              std::int64_t history_id,
                              const std::string& field);

/// Photo ids of a request's own photos (`history_id` nullopt) or of one update, in order.
std::vector<std::string>
photo_ids_of(store::Database& db, std::int64_t request_id, std::optional<std::int64_t> history_id);

/// Uploads and serving of residents' photos. Thread-safe.
class PhotoService {
  public:
    /// Unattached uploads are deleted after this long.
    static constexpr core::UnixSeconds unattached_lifetime_seconds = 24 * 3600;

    PhotoService(store::ConnectionPool& pool, const RequestService& requests, ImageLimits limits);

    /// Checks the client key (403), re-encodes (see ImagePipeline::encode) and stores the
    /// photo unattached; sweeps expired unattached photos on the way.
    [[nodiscard]] StoredPhoto upload(const std::optional<std::string>& api_key,
                                     std::string_view bytes,
                                     const std::string& field) const;
    /// As upload, for a signed-in person the route has let through (a streetscene officer
    /// photographing a visit's completion): no key, so no api_key_id.
    [[nodiscard]] StoredPhoto upload_by_person(std::string_view bytes,
                                               const std::string& field) const;
    /// Re-encodes without storing (for photos sent inside a request's own POST).
    [[nodiscard]] EncodedPhoto encode(std::string_view bytes, const std::string& field) const {
        return m_pipeline.encode(bytes, field);
    }
    /// The JPEG (or its thumbnail) of a photo anyone may see. not_found for an unknown id or a
    /// photo of a request in a private service.
    [[nodiscard]] std::string jpeg(const std::string& id, bool thumbnail) const;
    /// Deletes unattached photos uploaded before `now - unattached_lifetime_seconds`; returns
    /// how many.
    int sweep(core::UnixSeconds now) const;
    [[nodiscard]] const ImageLimits& limits() const { return m_pipeline.limits(); }

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    ImagePipeline m_pipeline;
};

} // namespace wardmap::services
