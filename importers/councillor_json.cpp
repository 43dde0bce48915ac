// The JSON form of `wardmap import councillors`, read with nlohmann/json because it is not
// geodata: either an object keyed by ward name or an array of ward objects, each
//   {"name": "...", "code": "E05...", "councillors": ["...", ...] or [{"name", "party", "id",
//    "email"}, ...], "councillor_ids": [...], "parties": [...], ...}
// (the shape of Chorley's chorley_wards_councillors_2026.json). JSON has no useful line
// numbers here, so a rejection names the entry's position and its ward key.

#include "importers/councillors.hpp"
#include "importers/import_kinds.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace wardmap::importers {

namespace {

// Keeps the file's order, so "entry N" is the Nth ward as written.
using json = nlohmann::ordered_json;

std::optional<std::string> string_member(const json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string() || it->get<std::string>().empty()) {
        return std::nullopt;
    }
    return it->get<std::string>();
}

/// An id may be written as a string or a number.
std::optional<std::string> id_text(const json& value) {
    if (value.is_string() && !value.get<std::string>().empty()) {
        return value.get<std::string>();
    }
    if (value.is_number_integer()) {
        return value.dump();
    }
    return std::nullopt;
}

json parse(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        const auto end = std::min<std::size_t>(e.byte, text.size());
        const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(end), '\n');
        std::string why = e.what();
        if (const auto bracket = why.find("] "); bracket != std::string::npos) {
            why = why.substr(bracket + 2); // drop nlohmann's "[json.exception...]" tag
        }
        throw ImportError({path.string(), line, true, {}}, "not valid JSON: " + why);
    } catch (const json::exception& e) {
        // out_of_range for a number beyond a double (1e999), which has no position.
        std::string why = e.what();
        if (const auto bracket = why.find("] "); bracket != std::string::npos) {
            why = why.substr(bracket + 2);
        }
        throw ImportError({path.string(), 0, true, {}}, "not valid JSON: " + why);
    }
}

struct Entry {
    std::string key; ///< the object key, or "" in an array
    const json* value;
};

class JsonReader {
  public:
    JsonReader(FileImportContext& ctx, const WardMatcher& wards) : m_ctx(ctx), m_wards(wards) {}

    /// One ward entry (1-based `index`) into m_out, or a rejection.
    void read(std::int64_t index, const Entry& e) {
        const std::string label =
            e.key.empty() ? "[" + std::to_string(index - 1) + "]" : "\"" + e.key + "\"";
        auto place = [&](const std::string& member) {
            return SourcePlace{m_ctx.path.string(), index, false,
                               member.empty() ? label : label + "." + member};
        };
        const json& w = *e.value;
        if (!w.is_object()) {
            m_ctx.report.reject(place(""), "not an object with the ward's name and councillors");
            return;
        }
        std::optional<std::string> code;
        if (const auto given = string_member(w, "code")) {
            code = m_wards.by_code(*given);
            if (!code) {
                m_ctx.report.reject(place("code"), "unknown ward code '" + *given +
                                                       "' in boundary set '" + m_wards.set_label() +
                                                       "'");
                return;
            }
        } else {
            const auto name = string_member(w, "name");
            if (!name && e.key.empty()) {
                m_ctx.report.reject(place(""), "no ward 'name' or 'code'");
                return;
            }
            code = m_wards.by_name(name.value_or(e.key));
            if (!code && name && !e.key.empty()) {
                code = m_wards.by_name(e.key);
            }
            if (!code) {
                m_ctx.report.reject(place(name ? "name" : ""),
                                    "unknown ward '" + name.value_or(e.key) +
                                        "': no ward of boundary set '" + m_wards.set_label() +
                                        "' has this name (or pass its \"code\")");
                return;
            }
        }
        if (auto [it, fresh] = m_first.emplace(*code, index); !fresh) {
            m_ctx.report.reject(place(""), "ward " + *code + " (" + m_wards.name(*code) +
                                               ") is given twice (first as entry " +
                                               std::to_string(it->second) + ")");
            return;
        }
        const auto list = w.find("councillors");
        if (list == w.end() || !list->is_array()) {
            m_ctx.report.reject(place("councillors"), "missing: a list of the ward's councillors");
            return;
        }
        const auto ids = w.find("councillor_ids");
        if (ids != w.end() && (!ids->is_array() || ids->size() != list->size())) {
            m_ctx.report.reject(place("councillor_ids"),
                                "must be a list as long as 'councillors' (" +
                                    std::to_string(list->size()) + ")");
            return;
        }
        std::optional<std::string> ward_party;
        if (const auto parties = w.find("parties"); parties != w.end() && parties->is_array()) {
            if (parties->size() == 1 && (*parties)[0].is_string()) {
                ward_party = (*parties)[0].get<std::string>();
            } else if (parties->size() > 1) {
                m_mixed.push_back(m_wards.name(*code));
            }
        }
        WardCouncillors out{*code, {}};
        std::set<std::string> names;
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& c = (*list)[i];
            const std::string member = "councillors[" + std::to_string(i) + "]";
            Councillor councillor;
            if (c.is_string()) {
                councillor.name = c.get<std::string>();
            } else if (c.is_object()) {
                councillor.name = string_member(c, "name").value_or("");
                councillor.party = string_member(c, "party");
                councillor.email = string_member(c, "email");
                if (const auto id = c.find("id"); id != c.end()) {
                    councillor.ref = id_text(*id);
                }
            }
            if (councillor.name.empty()) {
                m_ctx.report.reject(place(member), "a councillor needs a name");
                return;
            }
            if (!names.insert(normalise_ward_name(councillor.name)).second) {
                m_ctx.report.reject(place(member),
                                    "councillor '" + councillor.name + "' is listed twice");
                return;
            }
            if (!councillor.party) {
                councillor.party = ward_party;
            }
            if (ids != w.end() && !councillor.ref) {
                councillor.ref = id_text((*ids)[i]);
            }
            out.councillors.push_back(std::move(councillor));
        }
        m_out.push_back(std::move(out));
    }

    void finish() {
        if (!m_mixed.empty()) {
            std::string names;
            for (const auto& n : m_mixed) {
                names += (names.empty() ? "" : "; ") + n;
            }
            m_ctx.report.notes.push_back(
                "the file lists several parties for " + names +
                " without saying which councillor belongs to which: their party is left empty "
                "(give each councillor as {\"name\", \"party\"} to set it)");
        }
        replace_councillors(m_ctx.db, m_wards, m_out, m_ctx.report);
    }

  private:
    FileImportContext& m_ctx;
    const WardMatcher& m_wards;
    std::vector<WardCouncillors> m_out;
    std::map<std::string, std::int64_t> m_first; // ward code -> entry
    std::vector<std::string> m_mixed;            // wards whose parties cannot be assigned
};

} // namespace

void import_councillors_json(FileImportContext& ctx) {
    const SourcePlace file{ctx.path.string(), 0, false, {}};
    const json doc = parse(ctx.path);
    std::vector<Entry> entries;
    if (doc.is_object()) {
        for (const auto& [key, value] : doc.items()) {
            entries.push_back({key, &value});
        }
    } else if (doc.is_array()) {
        for (const auto& value : doc) {
            entries.push_back({{}, &value});
        }
    } else {
        throw ImportError(file, "expected a JSON object keyed by ward name, or an array of ward "
                                "objects");
    }
    const WardMatcher wards(ctx.db, ctx.options.set_label, file);
    JsonReader reader(ctx, wards);
    for (const auto& e : entries) {
        ++ctx.report.read;
        ctx.progress.update(ctx.report.read);
        reader.read(ctx.report.read, e);
    }
    reader.finish();
}

} // namespace wardmap::importers
