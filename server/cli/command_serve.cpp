#include "core/periodic_task.hpp"

#include "geo/store/backup.hpp"
#include "geo/store/backup_schedule.hpp"
#include "geo/store/checkpointer.hpp"
#include "geo/store/connection_pool.hpp"
#include "geo/store/migrations.hpp"
#include "server/app/memory.hpp"
#include "server/app/schedule_horizon.hpp"
#include "server/app/server_routes.hpp"
#include "server/cli/commands.hpp"
#include "server/cli/logging.hpp"
#include "server/http/dispatcher.hpp"
#include "server/http/server.hpp"
#include "server/services/shared/change_watcher.hpp"
#include "server/services/shared/outbox_sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace wardmap::cli {

std::filesystem::path default_services_file() {
    return WARDMAP_DEFAULT_SERVICES_FILE;
}

namespace {

struct ServeOptions {
    http::ServerOptions server;
    std::filesystem::path web_root = WARDMAP_DEFAULT_WEB_ROOT;
    std::filesystem::path services_file = WARDMAP_DEFAULT_SERVICES_FILE;
    std::filesystem::path jobs_file; // empty: JobCategories::defaults()
    std::filesystem::path mail_dir;  // empty: notifications stay queued
    std::string mail_from = "Chorley Council <no-reply@chorley.gov.uk>";
    int mail_interval_seconds = 10;
    int mail_retry_seconds = 30;
    std::string smtp_url;  // empty: .eml files in mail_dir (or nothing)
    std::string smtp_from; // envelope sender; empty: the address in mail_from
    std::string smtp_user;
    bool smtp_require_tls = false;
    std::string public_url = "http://localhost:8080";
    int checkpoint_seconds = 30;
    int horizon_minutes = 60;
    std::string durability = "normal";
    bool workers_given = false;
    std::filesystem::path backup_dir; // empty: no scheduled backups
    std::string backup_every = "1h";
    std::size_t backup_keep = 24;
    int drain_seconds = 10;
    double query_timeout_seconds = 5;
    int page_cache_mb = 64;
    int burial_search_embargo_days = 30;
    bool burial_search_exclude_infants = true;
    int burial_search_count_cap = 1000;
    int suppress_below = 5;
    std::string chromium = "/usr/bin/chromium";
    int report_pdf_timeout_seconds = 60;
    std::size_t max_photo_bytes = 10U * 1024U * 1024U;
    bool access_log = true;
    bool cookie_secure = false;
    int session_idle_minutes = 8 * 60;
    int session_max_hours = 12;
    std::string sign_in_rate_limit = "5/min";
    std::string sign_in_address_rate_limit = "20/min";
    std::string sign_in_link_rate_limit = "5/hour";
    std::string sign_in_link_address_rate_limit = "20/hour";
    // OpenID Connect sign-in for staff (docs/sign-in.md); off without an issuer.
    std::string oidc_issuer;
    std::string oidc_client_id;
    std::filesystem::path oidc_client_secret_file;
    std::string oidc_redirect_url;
    std::string oidc_provision_domain;
    std::string oidc_provision_role = "officer";
    std::vector<std::string> oidc_provision_teams;
};

/// "90s", "30m", "1h", "1d" or a number of seconds.
std::chrono::seconds duration_option(const std::string& text, const char* option) {
    std::size_t used = 0;
    long long value = -1;
    try {
        value = std::stoll(text, &used);
    } catch (const std::exception&) {
        value = -1;
    }
    const std::string unit = text.substr(std::min(used, text.size()));
    long long scale = 0;
    if (unit.empty() || unit == "s") {
        scale = 1;
    } else if (unit == "m") {
        scale = 60;
    } else if (unit == "h") {
        scale = 3600;
    } else if (unit == "d") {
        scale = 86400;
    }
    if (value <= 0 || scale == 0) {
        services::invalid_parameter(
            option, "must be a positive duration such as 90s, 30m, 1h or 1d, not '" + text + "'");
    }
    return std::chrono::seconds(value * scale);
}

services::RateLimit rate_limit_option(const std::string& text, const char* option) {
    const auto limit = services::RateLimit::parse(text);
    if (!limit) {
        services::invalid_parameter(option,
                                    "must be a count per period such as 5/min, not '" + text + "'");
    }
    return *limit;
}

/// The OIDC settings from the flags; the secret from its file (one line) or, failing that,
/// WARDMAP_OIDC_CLIENT_SECRET: never from the command line, where ps shows it.
services::OidcSettings oidc_settings(const ServeOptions& options) {
    services::OidcSettings settings;
    settings.issuer = options.oidc_issuer;
    settings.client_id = options.oidc_client_id;
    settings.redirect_url = options.oidc_redirect_url;
    if (!options.oidc_client_secret_file.empty()) {
        std::ifstream in(options.oidc_client_secret_file);
        if (!in) {
            throw std::invalid_argument("cannot read --oidc-client-secret-file " +
                                        options.oidc_client_secret_file.string());
        }
        std::getline(in, settings.client_secret);
        while (!settings.client_secret.empty() &&
               std::isspace(static_cast<unsigned char>(settings.client_secret.back())) != 0) {
            settings.client_secret.pop_back();
        }
    } else if (const char* secret = std::getenv("WARDMAP_OIDC_CLIENT_SECRET")) {
        settings.client_secret = secret;
    }
    if (!options.oidc_provision_domain.empty()) {
        services::OidcProvisionRule rule;
        rule.email_domain = options.oidc_provision_domain;
        rule.role = options.oidc_provision_role;
        rule.teams = options.oidc_provision_teams;
        settings.provision = std::move(rule);
    }
    services::check_oidc_settings(settings);
    return settings;
}

void add_pool_metrics(http::Metrics& metrics,
                      const store::ConnectionPool& pool,
                      const http::HttpServer& server) {
    metrics.add_collector([&pool, &server](std::string& out) {
        const auto s = pool.stats();
        out += "# HELP wardmap_db_pool_connections Database connections by state.\n"
               "# TYPE wardmap_db_pool_connections gauge\n";
        out += "wardmap_db_pool_connections{state=\"in_use\"} " + std::to_string(s.in_use) + "\n";
        out += "wardmap_db_pool_connections{state=\"idle\"} " + std::to_string(s.size - s.in_use) +
               "\n";
        out += "# TYPE wardmap_db_pool_waits_total counter\nwardmap_db_pool_waits_total " +
               std::to_string(s.waits) + "\n";
        out += "# TYPE wardmap_db_pool_timeouts_total counter\nwardmap_db_pool_timeouts_total " +
               std::to_string(s.timeouts) + "\n";
        out += "# TYPE wardmap_http_in_flight gauge\nwardmap_http_in_flight " +
               std::to_string(server.in_flight()) + "\n";
        out += "# TYPE wardmap_http_queued gauge\nwardmap_http_queued " +
               std::to_string(server.queued()) + "\n";
    });
}

void add_durability_metrics(http::Metrics& metrics,
                            const store::ConnectionPool& pool,
                            const store::ScheduledBackups* backups) {
    metrics.add_collector([&pool, backups](std::string& out) {
        if (const auto* group = pool.group_commit()) {
            out += "# HELP wardmap_group_commit_commits_total Commits made durable by group "
                   "commit (--durability full).\n# TYPE wardmap_group_commit_commits_total "
                   "counter\nwardmap_group_commit_commits_total " +
                   std::to_string(group->commits()) + "\n";
            out += "# HELP wardmap_group_commit_fsyncs_total WAL fsyncs that made them "
                   "durable.\n# TYPE wardmap_group_commit_fsyncs_total counter\n"
                   "wardmap_group_commit_fsyncs_total " +
                   std::to_string(group->syncs()) + "\n";
        }
        if (backups != nullptr) {
            out += "# HELP wardmap_backups_total Scheduled backups made since the start.\n"
                   "# TYPE wardmap_backups_total counter\nwardmap_backups_total " +
                   std::to_string(backups->made()) + "\n";
        }
    });
}

void add_page_cache_metrics(http::Metrics& metrics, const http::PageCache& pages) {
    metrics.add_collector([&pages](std::string& out) {
        const auto s = pages.stats();
        out += "# HELP wardmap_page_cache_requests_total OGC API pages answered from the page "
               "cache (hit) or made (miss).\n# TYPE wardmap_page_cache_requests_total counter\n";
        out += "wardmap_page_cache_requests_total{result=\"hit\"} " + std::to_string(s.hits) + "\n";
        out +=
            "wardmap_page_cache_requests_total{result=\"miss\"} " + std::to_string(s.misses) + "\n";
        out += "# TYPE wardmap_page_cache_bytes gauge\nwardmap_page_cache_bytes " +
               std::to_string(s.bytes) + "\n";
    });
}

int serve(const CommonOptions& common, const ServeOptions& options) {
    auto access_log = setup_logging(common.log_level, options.access_log);
    // Block the stop signals before any thread starts so only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    app::limit_malloc_arenas(); // before the threads that would each take one

    auto transform = common.make_transform();
    // The catalogue is checked before anything else starts: a bad file stops the server.
    auto catalogue_file = services::ServiceCatalogue::load(options.services_file);
    spdlog::info("service catalogue {}: {} services", options.services_file.string(),
                 catalogue_file.services().size());
    if (common.db.has_parent_path()) {
        std::filesystem::create_directories(common.db.parent_path());
    }
    const auto backup_every = duration_option(options.backup_every, "backup-every");
    // Held (shared) while serving: `wardmap restore` takes it exclusively, so neither can
    // start while the other uses the store.
    auto store_lock = store::StoreLock::try_acquire(common.db, store::StoreLock::Kind::shared);
    if (!store_lock) {
        throw store::StoreError("a restore is replacing " + common.db.string() + " (it holds " +
                                    store::lock_file_path(common.db).string() +
                                    "); start the server when it has finished",
                                SQLITE_BUSY);
    }
    const auto migration = store::migrate(common.db);
    if (migration.created) {
        spdlog::info("created empty database {} (run 'wardmap demo-data' for the demo borough)",
                     common.db.string());
    } else if (migration.from_version != migration.to_version) {
        spdlog::info("migrated {} from schema {} to {}", common.db.string(), migration.from_version,
                     migration.to_version);
    }

    const auto durability =
        options.durability == "full" ? store::Durability::full : store::Durability::normal;
    auto server_options = options.server;
    if (durability == store::Durability::full && !options.workers_given) {
        // A worker waits for the fsync that makes its commit durable (milliseconds on this
        // kind of disk) while holding no CPU: more workers keep the cores busy meanwhile, and
        // every commit made during one fsync shares the next.
        server_options.workers = std::max(16, server_options.workers);
    }
    store::ConnectionPool pool(common.db, static_cast<std::size_t>(server_options.workers),
                               {.mode = store::OpenMode::read_write, .busy_timeout_ms = 2000},
                               durability);
    spdlog::info("durability {}: {}", options.durability,
                 durability == store::Durability::full
                     ? "each write is answered after its commit is fsynced (group commit)"
                     : "commits are fsynced at checkpoints (survives kill -9, not power loss)");
    store::Checkpointer checkpointer(common.db, std::chrono::seconds(options.checkpoint_seconds));
    std::unique_ptr<store::ScheduledBackups> backups;
    if (!options.backup_dir.empty()) {
        store::BackupSchedule schedule{
            .folder = options.backup_dir, .every = backup_every, .keep = options.backup_keep};
        backups = std::make_unique<store::ScheduledBackups>(common.db, schedule);
        spdlog::info("backups to {} every {} s, keeping {}", options.backup_dir.string(),
                     schedule.every.count(), schedule.keep);
    }

    // The outbox first: whether mail is delivered decides whether sign-in links are offered.
    std::unique_ptr<services::OutboxSender> outbox;
    const std::chrono::seconds retry(options.mail_retry_seconds);
    if (!options.smtp_url.empty()) {
        services::SmtpSettings smtp;
        smtp.url = options.smtp_url;
        smtp.envelope_from = options.smtp_from.empty()
                                 ? services::mailbox_address(options.mail_from)
                                 : options.smtp_from;
        smtp.require_tls = options.smtp_require_tls;
        if (!options.smtp_user.empty()) {
            smtp.user = options.smtp_user;
            // Only from the environment: a password on the command line shows in ps.
            const char* password = std::getenv("WARDMAP_SMTP_PASSWORD");
            smtp.password = password != nullptr ? password : "";
        }
        outbox = std::make_unique<services::OutboxSender>(pool, std::move(smtp), options.mail_from,
                                                          retry);
        spdlog::info("notifications delivered by SMTP to {}", options.smtp_url);
    } else if (!options.mail_dir.empty()) {
        outbox = std::make_unique<services::OutboxSender>(pool, options.mail_dir, options.mail_from,
                                                          retry);
        spdlog::info("notifications written as .eml files to {}", options.mail_dir.string());
    }
    if (outbox) {
        outbox->start(std::chrono::seconds(options.mail_interval_seconds));
    }
    app::ServiceSettings settings;
    settings.web_root = options.web_root;
    settings.public_url = options.public_url;
    settings.page_cache_bytes = static_cast<std::size_t>(options.page_cache_mb) << 20;
    settings.suppress_below = options.suppress_below;
    settings.report_pdf = {.chromium = options.chromium,
                           .timeout = std::chrono::seconds(options.report_pdf_timeout_seconds)};
    settings.max_photo_bytes = options.max_photo_bytes;
    settings.sessions = {.idle = std::chrono::minutes(options.session_idle_minutes),
                         .absolute = std::chrono::hours(options.session_max_hours)};
    settings.sign_in = {
        .per_account = rate_limit_option(options.sign_in_rate_limit, "sign-in-rate-limit"),
        .per_address =
            rate_limit_option(options.sign_in_address_rate_limit, "sign-in-address-rate-limit")};
    settings.sign_in_links = {
        .per_email = rate_limit_option(options.sign_in_link_rate_limit, "sign-in-link-rate-limit"),
        .per_address = rate_limit_option(options.sign_in_link_address_rate_limit,
                                         "sign-in-link-address-rate-limit")};
    settings.cookies = {.secure = options.cookie_secure, .trust_proxy = options.server.trust_proxy};
    settings.mail_delivered = outbox != nullptr;
    if (!options.oidc_issuer.empty()) {
        settings.oidc = oidc_settings(options);
    }
    if (!options.jobs_file.empty()) {
        settings.job_categories = services::JobCategories::load(options.jobs_file);
    }
    settings.burial_search = {.embargo_days = options.burial_search_embargo_days,
                              .exclude_infants = options.burial_search_exclude_infants,
                              .total_cap = options.burial_search_count_cap};
    app::ServerServices served(pool, transform, std::move(catalogue_file), settings);
    // The public grave search's name keys for interments written without them (a database
    // migrated to 0021 from 0020): once, here.
    if (const auto indexed = served.burial_search.index_missing(); indexed > 0) {
        spdlog::info("burial search: indexed the names of {} interments", indexed);
    }
    services::ChangeWatcher watcher(common.db, std::chrono::seconds(2));
    const app::MemoryTrimmer trimmer(std::chrono::seconds(30));
    // Local alerts (docs/my-area.md): what is new near each confirmed subscriber, queued in the
    // outbox as often as the outbox is sent, only when mail is delivered.
    std::unique_ptr<core::PeriodicTask> area_alerts;
    if (outbox) {
        area_alerts = std::make_unique<core::PeriodicTask>(
            std::chrono::seconds(options.mail_interval_seconds), [&served] {
                try {
                    if (const int n = served.area_alerts.send_due(core::now_seconds()); n > 0) {
                        spdlog::info("local alerts: {} messages queued", n);
                    }
                } catch (const std::exception& e) {
                    spdlog::error("local alerts: {}", e.what());
                }
            });
    }
    auto& wards = served.wards;
    watcher.on_change("wards", [&wards] { wards.reload_index(); });
    watcher.start();
    if (served.oidc) {
        try {
            served.oidc->load_provider();
            spdlog::info("OpenID Connect sign-in through {}", options.oidc_issuer);
        } catch (const services::OidcRefused& why) {
            // The provider may come back; sign-ins retry discovery until it does.
            spdlog::warn("OpenID Connect provider {} not usable yet: {}", options.oidc_issuer,
                         why.what());
        }
    }
    http::Metrics metrics;

    http::Router router;
    http::Dispatcher dispatcher(router, metrics, access_log);
    dispatcher.set_principal_resolver(app::principal_resolver(served));
    if (options.query_timeout_seconds > 0) {
        dispatcher.set_query_timeout(std::chrono::milliseconds(
            std::max<std::int64_t>(1, std::llround(options.query_timeout_seconds * 1000))));
    }
    http::HttpServer server(router, dispatcher, server_options);
    app::add_server_routes(router, served, metrics, [&server] { return server.draining(); });
    add_pool_metrics(metrics, pool, server);
    add_page_cache_metrics(metrics, served.pages);
    add_durability_metrics(metrics, pool, backups.get());
    // Every round's visits planned 13 weeks ahead: checked every --horizon-minutes, done once
    // a day (a check that finds every round planned does nothing).
    const auto horizon =
        app::start_schedule_horizon(served.rounds, std::chrono::minutes(options.horizon_minutes));

    server.start();
    const std::string host = options.server.host == "0.0.0.0" || options.server.host == "127.0.0.1"
                                 ? "localhost"
                                 : options.server.host;
    std::cout << "wardmap serving http://" << host << ":" << server.port() << "/ (database "
              << common.db.string() << ")" << std::endl;
    spdlog::info("listening on {}:{} with {} reactor threads and {} workers", options.server.host,
                 server.port(), server_options.reactor_threads, server_options.workers);

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    spdlog::info("received {}: draining in-flight requests", strsignal(signal_number));
    if (!server.drain(std::chrono::seconds(options.drain_seconds))) {
        spdlog::warn("{} requests still in flight after {} s; stopping anyway", server.in_flight(),
                     options.drain_seconds);
    }
    server.stop();
    spdlog::info("stopped");
    return exit_ok;
}

} // namespace

void add_serve_command(CLI::App& app, CommonOptions& common, int& exit_code) {
    auto* cmd = app.add_subcommand("serve", "Serve the HTTP API and web client");
    common.add_to(*cmd);
    auto options = std::make_shared<ServeOptions>();
    cmd->add_option("--host", options->server.host, "Address to listen on")
        ->envname("WARDMAP_HOST")
        ->capture_default_str();
    cmd->add_option("--port", options->server.port, "TCP port (0 picks a free one)")
        ->envname("WARDMAP_PORT")
        ->capture_default_str();
    cmd->add_option("--threads", options->server.reactor_threads, "HTTP reactor threads")
        ->envname("WARDMAP_THREADS")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    auto* workers =
        cmd->add_option("--workers", options->server.workers,
                        "Request worker threads (one database connection each; at least 16 "
                        "by default with --durability full)")
            ->envname("WARDMAP_WORKERS")
            ->check(CLI::Range(1, 256))
            ->capture_default_str();
    cmd->add_option("--query-timeout", options->query_timeout_seconds,
                    "Seconds of database work one request may use before its query is stopped "
                    "and it is answered 503 query-timeout (0: no limit)")
        ->envname("WARDMAP_QUERY_TIMEOUT")
        ->check(CLI::Range(0.0, 3600.0))
        ->capture_default_str();
    cmd->add_flag("--trust-proxy", options->server.trust_proxy,
                  "Behind nginx: take the client's address (for rate limits) from the last "
                  "X-Forwarded-For entry instead of the socket peer")
        ->envname("WARDMAP_TRUST_PROXY");
    cmd->add_option("--burial-search-embargo-days", options->burial_search_embargo_days,
                    "The public grave search hides burials of the last N days")
        ->check(CLI::Range(0, 3650))
        ->capture_default_str();
    cmd->add_option("--burial-search-exclude-infants", options->burial_search_exclude_infants,
                    "The public grave search leaves out stillborn children, burials under one "
                    "year old and baby sections (true/false)")
        ->capture_default_str();
    cmd->add_option("--burial-search-count-cap", options->burial_search_count_cap,
                    "The public grave search counts matches up to N (its `total`); past N it "
                    "says only that there are more")
        ->check(CLI::Range(1, 1000000))
        ->capture_default_str();
    cmd->add_option("--web-root", options->web_root, "Folder of the web client's files")
        ->envname("WARDMAP_WEB_ROOT")
        ->capture_default_str();
    cmd->add_option("--services", options->services_file,
                    "Service catalogue (JSON) for service requests and Open311")
        ->envname("WARDMAP_SERVICES")
        ->capture_default_str();
    cmd->add_option("--jobs-file", options->jobs_file,
                    "Streetscene jobs: which service categories become which crew work, bin "
                    "reports and missed collections (JSON, docs/streetscene.md; built-in "
                    "defaults when absent)")
        ->envname("WARDMAP_JOBS_FILE");
    cmd->add_option("--mail-dir", options->mail_dir,
                    "Folder the notification sender writes .eml files to (none: keep them "
                    "queued in notification_outbox)")
        ->envname("WARDMAP_MAIL_DIR");
    cmd->add_option("--mail-from", options->mail_from, "From header of notifications")
        ->envname("WARDMAP_MAIL_FROM")
        ->capture_default_str();
    cmd->add_option("--mail-interval-seconds", options->mail_interval_seconds,
                    "How often the notification sender looks for due messages")
        ->envname("WARDMAP_MAIL_INTERVAL_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--mail-retry-seconds", options->mail_retry_seconds,
                    "First retry delay of an undelivered notification (doubles each time, at "
                    "most 6 h)")
        ->envname("WARDMAP_MAIL_RETRY_SECONDS")
        ->check(CLI::Range(1, 21600))
        ->capture_default_str();
    cmd->add_option("--smtp-url", options->smtp_url,
                    "Deliver notifications by SMTP: smtp://host:port (STARTTLS when offered) "
                    "or smtps://host:port; takes precedence over --mail-dir")
        ->envname("WARDMAP_SMTP_URL")
        ->check(CLI::Validator(
            [](const std::string& url) {
                return url.starts_with("smtp://") || url.starts_with("smtps://")
                           ? std::string()
                           : "must start with smtp:// or smtps://, not '" + url + "'";
            },
            "URL"));
    cmd->add_option("--smtp-from", options->smtp_from,
                    "SMTP envelope sender (default: the address in --mail-from)")
        ->envname("WARDMAP_SMTP_FROM");
    cmd->add_option("--smtp-user", options->smtp_user,
                    "SMTP AUTH user; the password is read from WARDMAP_SMTP_PASSWORD")
        ->envname("WARDMAP_SMTP_USER");
    cmd->add_flag("--smtp-require-tls", options->smtp_require_tls,
                  "With smtp://, never send unless STARTTLS succeeds")
        ->envname("WARDMAP_SMTP_REQUIRE_TLS");
    cmd->add_option("--public-url", options->public_url,
                    "Where residents reach this server (links in emails are built on it, never "
                    "on a request's Host header)")
        ->envname("WARDMAP_PUBLIC_URL")
        ->capture_default_str();
    cmd->add_option("--checkpoint-seconds", options->checkpoint_seconds,
                    "Interval between WAL checkpoints")
        ->envname("WARDMAP_CHECKPOINT_SECONDS")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--horizon-minutes", options->horizon_minutes,
                    "How often to check that every streetscene round's visits are planned 13 "
                    "weeks ahead (planned once a day; docs/streetscene.md)")
        ->envname("WARDMAP_HORIZON_MINUTES")
        ->check(CLI::Range(1, 1440))
        ->capture_default_str();
    cmd->add_option("--durability", options->durability,
                    "normal: a write is answered once committed to the WAL (survives kill -9; "
                    "power loss can take back up to one checkpoint interval); full: once that "
                    "commit is fsynced too (group commit; survives power loss)")
        ->envname("WARDMAP_DURABILITY")
        ->check(CLI::IsMember({"normal", "full"}))
        ->capture_default_str();
    cmd->add_option("--backup-dir", options->backup_dir,
                    "Back the database up into this folder on a schedule (docs/operations.md)")
        ->envname("WARDMAP_BACKUP_DIR");
    cmd->add_option("--backup-every", options->backup_every,
                    "Interval between scheduled backups (90s, 30m, 1h, 1d)")
        ->envname("WARDMAP_BACKUP_EVERY")
        ->capture_default_str();
    cmd->add_option("--backup-keep", options->backup_keep,
                    "Scheduled backups kept; the oldest beyond this are removed")
        ->envname("WARDMAP_BACKUP_KEEP")
        ->check(CLI::Range(std::size_t{1}, std::size_t{10000}))
        ->capture_default_str();
    cmd->add_option("--drain-seconds", options->drain_seconds,
                    "On SIGTERM, how long to wait for in-flight requests")
        ->envname("WARDMAP_DRAIN_SECONDS")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    cmd->add_option(
           "--suppress-below", options->suppress_below,
           "MyWard exports and the public performance page leave counts from 1 to this - 1 "
           "empty (small numbers)")
        ->envname("WARDMAP_SUPPRESS_BELOW")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    cmd->add_option("--chromium", options->chromium,
                    "Headless Chromium that prints MyWard's report as PDF (absent: the PDF "
                    "answers 503)")
        ->envname("WARDMAP_CHROMIUM")
        ->capture_default_str();
    cmd->add_option("--report-pdf-timeout-seconds", options->report_pdf_timeout_seconds,
                    "How long one PDF print may take before Chromium is killed")
        ->envname("WARDMAP_REPORT_PDF_TIMEOUT_SECONDS")
        ->check(CLI::Range(1, 600))
        ->capture_default_str();
    cmd->add_option("--page-cache-mb", options->page_cache_mb,
                    "Memory for OGC API pages kept until the store changes (0: none)")
        ->envname("WARDMAP_PAGE_CACHE_MB")
        ->check(CLI::Range(0, 65536))
        ->capture_default_str();
    cmd->add_option("--max-photo-bytes", options->max_photo_bytes,
                    "Largest photo upload accepted (POST /api/photos, Open311 media)")
        ->envname("WARDMAP_MAX_PHOTO_BYTES")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{100} * 1024 * 1024))
        ->capture_default_str();
    cmd->add_flag("--cookie-secure", options->cookie_secure,
                  "Mark the session cookie Secure always (without it: only when a trusted "
                  "proxy says X-Forwarded-Proto: https)")
        ->envname("WARDMAP_COOKIE_SECURE");
    cmd->add_option("--session-idle-minutes", options->session_idle_minutes,
                    "A session ends after this long without a request")
        ->envname("WARDMAP_SESSION_IDLE_MINUTES")
        ->check(CLI::Range(1, 7 * 24 * 60))
        ->capture_default_str();
    cmd->add_option("--session-max-hours", options->session_max_hours,
                    "A session ends this long after sign-in, however active")
        ->envname("WARDMAP_SESSION_MAX_HOURS")
        ->check(CLI::Range(1, 30 * 24))
        ->capture_default_str();
    cmd->add_option("--sign-in-rate-limit", options->sign_in_rate_limit,
                    "Sign-in attempts allowed per account (e.g. 5/min)")
        ->envname("WARDMAP_SIGN_IN_RATE_LIMIT")
        ->capture_default_str();
    cmd->add_option("--sign-in-address-rate-limit", options->sign_in_address_rate_limit,
                    "Sign-in attempts allowed per client address (e.g. 20/min)")
        ->envname("WARDMAP_SIGN_IN_ADDRESS_RATE_LIMIT")
        ->capture_default_str();
    cmd->add_option("--sign-in-link-rate-limit", options->sign_in_link_rate_limit,
                    "Emailed sign-in links asked for per email address (e.g. 5/hour)")
        ->envname("WARDMAP_SIGN_IN_LINK_RATE_LIMIT")
        ->capture_default_str();
    cmd->add_option("--sign-in-link-address-rate-limit", options->sign_in_link_address_rate_limit,
                    "Emailed sign-in links asked for or redeemed per client address (e.g. 20/hour)")
        ->envname("WARDMAP_SIGN_IN_LINK_ADDRESS_RATE_LIMIT")
        ->capture_default_str();
    cmd->add_flag("!--no-access-log", options->access_log,
                  "Do not write the JSON access log to stdout")
        ->envname("WARDMAP_NO_ACCESS_LOG");
    cmd->add_option("--oidc-issuer", options->oidc_issuer,
                    "Sign staff in with this OpenID Connect provider (its issuer URL, e.g. "
                    "https://login.microsoftonline.com/TENANT/v2.0); docs/sign-in.md")
        ->envname("WARDMAP_OIDC_ISSUER");
    cmd->add_option("--oidc-client-id", options->oidc_client_id,
                    "wardmap's client id at the provider")
        ->envname("WARDMAP_OIDC_CLIENT_ID");
    cmd->add_option("--oidc-client-secret-file", options->oidc_client_secret_file,
                    "File holding the client secret (else WARDMAP_OIDC_CLIENT_SECRET)")
        ->envname("WARDMAP_OIDC_CLIENT_SECRET_FILE");
    cmd->add_option("--oidc-redirect-url", options->oidc_redirect_url,
                    "The callback URL registered at the provider: "
                    "https://HOST/auth/oidc/callback")
        ->envname("WARDMAP_OIDC_REDIRECT_URL");
    cmd->add_option("--oidc-provision-domain", options->oidc_provision_domain,
                    "Give an unknown signed-in email of this domain an account (without it, "
                    "only existing active people sign in)")
        ->envname("WARDMAP_OIDC_PROVISION_DOMAIN");
    cmd->add_option("--oidc-provision-role", options->oidc_provision_role,
                    "Role of provisioned accounts: councillor is not allowed (it needs wards)")
        ->envname("WARDMAP_OIDC_PROVISION_ROLE")
        ->check(CLI::IsMember({"officer", "supervisor", "admin"}))
        ->capture_default_str();
    cmd->add_option("--oidc-provision-team", options->oidc_provision_teams,
                    "Team of provisioned officers and supervisors (repeatable)")
        ->envname("WARDMAP_OIDC_PROVISION_TEAM")
        ->check(CLI::IsMember(
            {"streetscene", "bereavement", "planning", "customer_services", "housing"}));
    cmd->callback([&common, &exit_code, options, workers] {
        options->workers_given = workers->count() > 0;
        exit_code = run_guarded("serve", [&] { return serve(common, *options); });
    });
}

} // namespace wardmap::cli
