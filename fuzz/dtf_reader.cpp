// The gazetteer transfer file reader (`wardmap import llpg`, NLPG DTF 7.3 / AddressBase
// Premium CSV), on a /vsimem/ file: as UTF-8 (checked per field) and recoded from LATIN1.
// A bad file is an ImportError; records come in line order with the fields as read.

#include "importers/dtf_reader.hpp"

#include "fuzz/fuzz_support.hpp"

#include "geo/utf8.hpp"

#include <cpl_vsi.h>

using namespace wardmap;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const char* const path = "/vsimem/fuzz.dtf";
    // Owned by the caller (bTakeOwnership false): GDAL reads libFuzzer's buffer in place.
    VSIFCloseL(VSIFileFromMemBuffer(path, const_cast<GByte*>(data), size, FALSE));
    for (const char* encoding : {"", "LATIN1"}) {
        fuzz::expect_only<importers::ImportError>([&] {
            importers::DtfReader reader(path, encoding);
            importers::DtfRecord record;
            std::int64_t last = 0;
            while (reader.next(record)) {
                fuzz::check(record.line > last, "records out of line order");
                last = record.line;
                for (const auto field : record.fields) {
                    fuzz::check(geo::is_valid_utf8(field), "a field that is not UTF-8");
                }
            }
            fuzz::check(reader.bytes_read() <= reader.size(), "read past the end");
        });
    }
    VSIUnlink(path);
    return 0;
}
