#pragma once

// Requests become jobs (issue #18): a service request in a streetscene category turned into
// one-off work on a crew's day, closed through the request's own lifecycle when the crew
// completes it; reports linked to the bins they are about, and a bin's emptying review; the
// missed-collection rule. Schema: data/schema/0018_jobs.sql; docs/streetscene.md, "Jobs".

#include "core/dates.hpp"
#include "core/w3c_time.hpp"

#include "geo/bng_transform.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/database.hpp"
#include "server/services/access/access.hpp"
#include "server/services/requests/request_service.hpp"
#include "server/services/streetscene/crew_service.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace wardmap::services {

/// Which service categories are streetscene work and what a crew does for each; which
/// household collections a missed-bin report's containers are. The council's file
/// (data/streetscene/jobs.json) or the built-in defaults.
struct JobCategories {
    /// service code -> schedule activity (fly_tipping -> clear_fly_tip, ...)
    std::map<std::string, std::string> activities;
    /// services whose reports are linked to a bin (overflowing_bin)
    std::vector<std::string> bin_services;
    /// the attribute of a bin report that carries the bin's reference (asset_ref)
    std::string bin_reference_attribute = "asset_ref";
    /// asset types a bin report may be about (litter_bin, dog_bin)
    std::vector<std::string> bin_asset_types;
    /// the missed-collection service (missed_bin), its container attribute, and the
    /// collection activity of each container (grey -> household_waste, ...)
    std::string missed_collection_service = "missed_bin";
    std::string container_attribute = "container";
    std::map<std::string, std::string> container_activities;

    static JobCategories defaults();
    /// Parses the JSON file's text; std::runtime_error naming the member when it is wrong.
    static JobCategories parse(const std::string& json_text, const std::string& source);
    static JobCategories load(const std::filesystem::path& path);
};

/// Bin links: the reference on the form, else the nearest active bin within this distance.
inline constexpr double bin_link_radius_m = 10;
/// A missed collection is reported within this many working days of the collection day.
inline constexpr int missed_collection_working_days = 2;

/// A job as the API shows it. Its state is derived: "done" (a visit of it was completed done),
/// "closed" (its request is closed without that), or "open".
struct Job {
    std::int64_t id = 0;
    std::int64_t request_id = 0;
    std::string category;
    std::string activity;
    std::string crew;
    core::Date due_date;
    core::Date planned_date;
    std::string chosen; ///< "supervisor" or "nearest"
    std::optional<double> distance_m;
    std::int64_t visit_id = 0; ///< the first visit; a not_done one rolls to another
    std::string state;
    std::string request_status;
    double lon = 0;
    double lat = 0;
};

/// What POST /api/requests/{id}/job asks.
struct JobOrder {
    std::int64_t request_id = 0;
    std::optional<std::string> crew;
    std::optional<core::Date> date;
};

/// A completion of a visit, as the crews' completion route stores it; handed to
/// JobService::on_completion in the completion's own transaction.
struct VisitCompletionFacts {
    std::int64_t completion_id = 0;
    std::int64_t visit_id = 0;
    std::string outcome; ///< done, not_done
    std::optional<std::string> reason;
    core::UnixSeconds recorded_at = 0;
    std::vector<std::string> after_photo_ids;
    std::optional<std::string> notes;
    std::optional<core::Date> rolled_to; ///< a not_done visit's next planned date
    Principal by;
};

/// One reading of a bin's fill level at an emptying.
struct FillReading {
    core::Date date;
    std::int64_t visit_id = 0;
    int fill_percent = 0;
};

/// GET /api/assets/{id}/review.
struct BinReview {
    std::int64_t asset_id = 0;
    std::string asset_type;
    std::string reference;
    core::Date from; ///< the review's window (91 days to today)
    core::Date to;
    std::int64_t reports_total = 0;  ///< every report linked to the bin
    std::int64_t reports_window = 0; ///< of them, made inside the window
    struct Report {
        std::int64_t id;
        core::UnixSeconds at;
        std::string status;
        std::string matched_by;
    };
    std::vector<Report> reports;       ///< newest first, at most 50
    std::vector<FillReading> fills;    ///< oldest first, every reading
    std::optional<double> mean_fill;   ///< over the window's readings
    std::int64_t readings_window = 0;  ///< readings inside the window
    std::int64_t emptyings_window = 0; ///< done visits inside the window
    double visits_per_week = 0;        ///< planned emptyings from 13 weeks back to 13 ahead
    std::string suggestion;            ///< increase, decrease, keep
    double suggested_visits_per_week = 0;
    std::string reason;
};

/// Jobs, bin links, bin reviews and the missed-collection rule. Thread-safe: each call leases
/// its own connection; the hooks run in their caller's transaction.
class JobService {
  public:
    JobService(store::ConnectionPool& pool,
               const RequestService& requests,
               std::shared_ptr<const geo::BngTransform> transform,
               JobCategories categories = JobCategories::defaults(),
               RequestService::Clock clock = {});

    /// Turns request `order.request_id` into a job on a crew's day: the crew named, else the
    /// crew whose round that day passes nearest to the request; the day named (today or
    /// later), else today when it is a working day, else the next one. Due on the request's
    /// target date (its SLA). not_found for an unknown request; invalid_parameter for a
    /// category that is no streetscene work, a closed request, an unknown crew, a past date;
    /// conflict when the request already has a job or no crew works that day.
    [[nodiscard]] Job create(const JobOrder& order, const Principal& by) const;
    [[nodiscard]] Job get(std::int64_t id) const;
    /// Closes a job's request from the office: status `status` (a closed one, default fixed)
    /// with `note` as its public update. invalid_parameter when the request is closed already.
    [[nodiscard]] Job close(std::int64_t id,
                            const std::string& status,
                            const std::string& note,
                            const Principal& by) const;

    /// The completion hook: a done visit of a job closes its request (fixed, with the crew's
    /// after photos); a not_done one posts a public update and leaves it open. Nothing for a
    /// visit that is no job's. Runs in the completion's transaction.
    void on_completion(store::Database& db, const VisitCompletionFacts& completion) const;
    /// on_completion for a completion CrewService has just stored (its CompletionHook): the
    /// after photos, the server's time, and the date of the visit a not_done one rolled to.
    void on_crew_completion(store::Database& db,
                            const Principal& by,
                            const Completion& completion) const;

    /// The intake rules: the missed-collection check (IntakeHooks::check) and the bin link
    /// (IntakeHooks::stored).
    [[nodiscard]] IntakeHooks intake_hooks() const;
    void check_missed_collection(const IntakeFacts& facts) const;
    void link_bin(store::Database& db, std::int64_t request_id, const IntakeFacts& facts) const;

    /// A bin's reports, fill history and suggested emptying frequency. not_found for an
    /// unknown asset; invalid_parameter for an asset that is not a bin type.
    [[nodiscard]] BinReview review(std::int64_t asset_id) const;

    [[nodiscard]] const JobCategories& categories() const { return m_categories; }

  private:
    [[nodiscard]] core::UnixSeconds now() const;
    [[nodiscard]] Job read(store::Database& db, std::int64_t id) const;

    store::ConnectionPool& m_pool;
    const RequestService& m_requests;
    std::shared_ptr<const geo::BngTransform> m_transform;
    JobCategories m_categories;
    RequestService::Clock m_clock;
};

} // namespace wardmap::services
