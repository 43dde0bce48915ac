// The staff catalogue API's bodies (POST /api/services, PUT /api/services/:code): one service
// definition checked as the catalogue file is (ServiceCatalogue::parse_service), and a whole
// catalogue file (ServiceCatalogue::parse, read at start). Refusals are CatalogueErrors. A
// definition that is accepted then answers residents' attributes without throwing: every
// question given its first listed value, and given "x".

#include "fuzz/fuzz_support.hpp"

#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/service_catalogue.hpp"
#include "server/services/shared/errors.hpp"

using namespace wardmap;
using services::CatalogueError;

namespace {

void answer(const services::ServiceDefinition& service,
            const std::map<std::string, std::vector<std::string>>& given) {
    fuzz::expect_only<services::DomainError>([&] {
        std::vector<services::FieldProblem> problems;
        const auto answers = services::request_detail::check_attributes(service, given, problems);
        if (problems.empty()) {
            (void)service.priority(services::request_detail::choose_priority(service, answers));
        }
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string in(fuzz::text(data, size));
    fuzz::expect_only<CatalogueError>([&] {
        const auto service = services::ServiceCatalogue::parse_service(in, "body");
        std::map<std::string, std::vector<std::string>> first;
        std::map<std::string, std::vector<std::string>> x;
        for (const auto& a : service.attributes) {
            first[a.code] = {a.values.empty() ? std::string("1") : a.values.front().key};
            x[a.code] = {"x"};
        }
        answer(service, first);
        answer(service, x);
        fuzz::check(service.attribute("no such attribute") == nullptr, "a phantom attribute");
    });
    fuzz::expect_only<CatalogueError>(
        [&] { (void)services::ServiceCatalogue::parse(in, "catalogue.json"); });
    return 0;
}
