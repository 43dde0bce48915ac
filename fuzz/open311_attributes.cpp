// Open311 attribute answers (attribute[code]=v and attribute[code][]=v in a create form),
// checked against every service of the default catalogue that asks questions
// (check_attributes), and the priority they lead to (choose_priority). The input is the form
// body; names are read as POST /open311/v2/requests reads them. Problems are listed, never
// thrown; the chosen priority is one the service has.

#include "fuzz/fuzz_support.hpp"

#include "server/http/form_body.hpp"
#include "server/services/requests/request_internals.hpp"
#include "server/services/requests/service_catalogue.hpp"
#include "server/services/shared/errors.hpp"

#include <cstdlib>

using namespace wardmap;

namespace {

const services::ServiceCatalogue& catalogue() {
    static const auto loaded = services::ServiceCatalogue::load(std::string(WARDMAP_SOURCE_DIR) +
                                                                "/data/services/default.json");
    return loaded;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::pair<std::string, std::string>> form;
    try {
        form = http::parse_form(fuzz::text(data, size));
    } catch (const services::DomainError&) {
        return 0; // the form is refused before its attributes are read
    }
    // As the Open311 routes' Form::add: attribute[code] and attribute[code][].
    std::map<std::string, std::vector<std::string>> given;
    for (const auto& [name, value] : form) {
        if (name.starts_with("attribute[") && name.size() > 11) {
            const auto close = name.find(']');
            if (close != std::string::npos && close > 10) {
                const std::string rest = name.substr(close + 1);
                if (rest.empty() || rest == "[]") {
                    given[name.substr(10, close - 10)].push_back(value);
                }
            }
        }
    }
    for (const auto& service : catalogue().services()) {
        if (service.attributes.empty()) {
            continue;
        }
        fuzz::expect_only<services::DomainError>([&] {
            std::vector<services::FieldProblem> problems;
            const auto answers =
                services::request_detail::check_attributes(service, given, problems);
            (void)answers.dump(); // stored as this text
            if (problems.empty()) {
                const auto priority = services::request_detail::choose_priority(service, answers);
                (void)service.priority(priority);
            }
        });
    }
    return 0;
}
