#pragma once

// A councillor's actions on service requests (issue #16, docs/myward.md "Councillors'
// actions"): following a request of their wards, notes for the council's staff, and raising a
// request on a resident's behalf. Which ward a request is in is derived from its point and the
// boundaries in force on the date it was received (WardIndex), never from a stored column.

#include "geo/store/connection_pool.hpp"
#include "server/services/access/access.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/wards/ward_service.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace wardmap::services {

/// A councillor's note on a request: for staff and the councillor, never public. Plain value.
struct CouncillorNote {
    std::int64_t id = 0;
    std::int64_t request_id = 0;
    std::string author; ///< the councillor's name when written
    std::string text;
    std::string created_at; ///< UTC
};

/// A request a councillor follows, for their list. Plain value.
struct FollowedRequest {
    std::int64_t id = 0;
    std::string service_code;
    std::string status;
    bool open = true;
    std::string ward_code; ///< on the date it was received
    std::string requested; ///< UTC
    std::string updated;   ///< UTC
    std::string followed;  ///< UTC
};

/// Thread-safe: each call leases its own connection.
class CouncillorActions {
  public:
    static constexpr std::size_t max_note_chars = 2000;

    CouncillorActions(store::ConnectionPool& pool,
                      const RequestService& requests,
                      const WardService& wards);

    /// The ward request `id` lies in on the date it was received. not_found for no request.
    [[nodiscard]] std::string ward_of(std::int64_t id) const;
    /// ward_of(id), when `who` is a councillor of that ward; forbidden otherwise.
    std::string check_councillor(const Principal& who, std::int64_t id) const;

    /// `who` (a councillor of the request's ward) follows it: its status changes are mailed
    /// to their account's address. Following twice is harmless. Returns true when new.
    bool follow(const Principal& who, std::int64_t id) const;
    /// Stops following; harmless when not following. Returns true when a row went.
    bool unfollow(const Principal& who, std::int64_t id) const;
    /// What `who` follows, newest first (every ward: they followed them while in theirs).
    [[nodiscard]] std::vector<FollowedRequest> following(const Principal& who) const;

    /// Appends a note by `who` (a councillor of the request's ward). invalid_parameter naming
    /// `text` for empty or over max_note_chars characters. Audited (a change of the request's
    /// notes), in the note's own transaction.
    CouncillorNote add_note(const Principal& who,
                            std::int64_t id,
                            const std::string& text,
                            const std::string& route,
                            const std::string& client_address) const;
    /// The request's councillor notes, oldest first, for staff holding ward_read or a
    /// councillor of its ward (forbidden otherwise). Each read is audited.
    [[nodiscard]] std::vector<CouncillorNote> notes(const Principal& who,
                                                    std::int64_t id,
                                                    const std::string& route,
                                                    const std::string& client_address) const;

    /// Raises `request` (no api_key) on a resident's behalf: channel `councillor`, the point in
    /// one of `who`'s wards today (forbidden naming the location field otherwise), the
    /// resident's contact details optional, the history saying who raised it. Audited.
    CreatedRequest raise(const Principal& who,
                         NewRequest request,
                         const std::string& route,
                         const std::string& client_address) const;

  private:
    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    const WardService& m_wards;
};

/// The wards of every councillor grant `who` holds (empty for anyone else).
std::vector<std::string> councillor_wards(const Principal& who);

} // namespace wardmap::services
