// The tile routes' paths (OGC API - Tiles under /ogc), as a client sends them. The input is
//   PATH-AFTER-/ogc/[?QUERY]\n
//   Accept header (optional)
// e.g. "collections/streets/tiles/WebMercatorQuad/16/21345/32110". Two checks:
// - the pure parser of a tile's address (services::parse_tile_address) over the path's last
//   four segments ({tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}): it refuses only with
//   a DomainError, and what it accepts lies in WebMercatorQuad and is the text it was given;
// - the whole request through the server's real route table (app::add_server_routes over a
//   freshly migrated store, anonymous caller): tileset ids, matrix set ids, indices, zooms
//   outside a tileset's range and query parameters are answered 2xx/3xx/4xx, never 500.

#include "fuzz/fuzz_support.hpp"

#include "geo/store/migrations.hpp"
#include "server/app/server_routes.hpp"
#include "server/http/dispatcher.hpp"
#include "server/services/features/tile_service.hpp"
#include "server/services/shared/errors.hpp"

#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

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
};

Server& server() {
    static Server* s = [] {
        spdlog::set_level(spdlog::level::err); // a 500 logs its exception at error
        auto* made = new Server;
        const auto dir = std::filesystem::temp_directory_path() /
                         ("wardmap-fuzz-tiles-" + std::to_string(::getpid()));
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
        made->dispatcher = std::make_unique<http::Dispatcher>(
            made->router, made->metrics,
            std::make_shared<spdlog::logger>("fuzz",
                                             std::make_shared<spdlog::sinks::null_sink_mt>()));
        return made;
    }();
    return *s;
}

std::vector<std::string_view> split(std::string_view text, char by) {
    std::vector<std::string_view> out;
    while (true) {
        const auto at = text.find(by);
        out.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return out;
        }
        text = text.substr(at + 1);
    }
}

void parse_address(const std::vector<std::string_view>& segments) {
    if (segments.size() < 4) {
        return;
    }
    const auto* s = &segments[segments.size() - 4];
    fuzz::expect_only<services::DomainError>([&] {
        const auto id = services::parse_tile_address(s[0], s[1], s[2], s[3]);
        fuzz::check(geo::in_matrix(id), "an accepted tile outside WebMercatorQuad");
        fuzz::check(s[0] == "WebMercatorQuad", "another tile matrix set accepted");
        fuzz::check(std::to_string(id.z) == s[1] && std::to_string(id.y) == s[2] &&
                        std::to_string(id.x) == s[3],
                    "an accepted index is not the text it was read from");
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto in = fuzz::text(data, size);
    const auto newline = in.find('\n');
    const auto target = in.substr(0, newline);
    const auto question = target.find('?');
    const auto path = target.substr(0, question);
    parse_address(split(path, '/'));

    auto& s = server();
    http::Request request;
    request.method = "GET";
    request.path = "/ogc/" + std::string(path);
    if (question != std::string_view::npos) {
        for (const auto pair : split(target.substr(question + 1), '&')) {
            const auto eq = pair.find('=');
            request.query[std::string(pair.substr(0, eq))] =
                eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        }
    }
    if (newline != std::string_view::npos) {
        request.headers.emplace("Accept", std::string(in.substr(newline + 1)));
    }
    request.remote_address = "127.0.0.1";
    request.client_address = "127.0.0.1";
    const auto response = s.dispatcher->dispatch(request);
    if (response.status >= 500 && response.status != 503) {
        fuzz::fail("a tile path made a 500 on", request.route.c_str());
    }
    return 0;
}
