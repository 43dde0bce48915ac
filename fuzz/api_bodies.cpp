// Every API's body reader, through the real routes: the server's route table (app::
// add_server_routes over a freshly migrated store, as `wardmap serve` builds it) behind the
// Dispatcher, called by a signed-in admin. The input is
//   METHOD /path\n
//   Content-Type\n
//   body...
// so Open311 create (form, multipart, attribute[...]), staff updates, sessions, the
// catalogue API, followers, my-reports and every other reader get bodies as a client sends
// them. A refusal is a 4xx; a 500 means an exception the handler did not expect (the
// dispatcher logs which), so the target stops there.

#include "fuzz/fuzz_support.hpp"

#include "geo/store/migrations.hpp"
#include "server/app/server_routes.hpp"
#include "server/http/dispatcher.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <unistd.h>

using namespace wardmap;

namespace {

std::filesystem::path& dir_to_remove() {
    static std::filesystem::path dir;
    return dir;
}

struct Server {
    std::unique_ptr<store::ConnectionPool> pool;
    std::unique_ptr<app::ServerServices> services;
    http::Metrics metrics;
    http::Router router;
    std::unique_ptr<http::Dispatcher> dispatcher;
    services::Principal admin;
};

Server& server() {
    static Server* s = [] {
        // Refusals log below error; a 500 logs its exception at error, which the finding needs.
        spdlog::set_level(spdlog::level::err);
        auto* made = new Server;
        const auto dir = std::filesystem::temp_directory_path() /
                         ("wardmap-fuzz-api-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        dir_to_remove() = dir;
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(dir_to_remove(), ignored);
        });
        const auto db = dir / "store.sqlite";
        store::migrate(db);
        made->pool = std::make_unique<store::ConnectionPool>(
            db, 2,
            store::OpenOptions{.mode = store::OpenMode::read_write, .busy_timeout_ms = 2000});
        app::ServiceSettings settings;
        settings.web_root = std::filesystem::path(WARDMAP_SOURCE_DIR) / "web-client";
        settings.page_cache_bytes = 1 << 20;
        made->services = std::make_unique<app::ServerServices>(
            *made->pool, geo::BngTransform::create(),
            services::ServiceCatalogue::load(std::filesystem::path(WARDMAP_SOURCE_DIR) /
                                             "data/services/default.json"),
            settings);
        app::add_server_routes(made->router, *made->services, made->metrics, [] { return false; });
        const auto person =
            made->services->accounts.add("fuzz.admin@example.org", "Fuzz Admin",
                                         services::RoleGrant{services::Role::admin, {}, {}});
        made->admin.kind = services::Principal::Kind::person;
        made->admin.id = person.id;
        made->admin.name = person.name;
        made->admin.grants = person.grants;
        made->dispatcher = std::make_unique<http::Dispatcher>(
            made->router, made->metrics,
            std::make_shared<spdlog::logger>("fuzz",
                                             std::make_shared<spdlog::sinks::null_sink_mt>()));
        made->dispatcher->set_principal_resolver(
            [admin = made->admin](http::Request& request) { request.principal = admin; });
        return made;
    }();
    return *s;
}

std::string_view line(std::string_view& in) {
    const auto newline = in.find('\n');
    const auto first = in.substr(0, newline);
    in = newline == std::string_view::npos ? std::string_view{} : in.substr(newline + 1);
    return first;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& s = server();
    auto in = fuzz::text(data, size);
    const auto request_line = line(in);
    const auto space = request_line.find(' ');
    if (space == std::string_view::npos) {
        return 0;
    }
    http::Request request;
    request.method = std::string(request_line.substr(0, space));
    request.path = std::string(request_line.substr(space + 1));
    if (request.method == "GET" || request.method == "HEAD" ||
        request.path.find("/photos") != std::string::npos) {
        return 0; // bodies only; photo bytes are libvips's to decode, not a body reader's
    }
    request.headers.emplace("Content-Type", std::string(line(in)));
    request.body = std::string(in);
    request.remote_address = "127.0.0.1";
    request.client_address = "127.0.0.1";
    const auto response = s.dispatcher->dispatch(request);
    if (response.status >= 500 && response.status != 503) {
        fuzz::fail("a body made a 500 on", request.route.c_str());
    }
    return 0;
}
