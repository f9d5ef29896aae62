// The add-in's "Publish targets" outside the office, for the crash suite: the
// cells of a Targets sheet (read here from a CSV file: texts as texts,
// numbers as numbers) go through the same two functions the add-in's worker
// thread calls — targetsCsvFromSheet() and publishTargets() — into the store,
// in a process of its own that the suite can kill at any moment. Killing the
// office itself instead would test the same code behind a slower restart.
//
// Usage: publish_targets_probe STORE SHEET.csv USER
// Prints the publication's message; exit status 0 when published, 1 when not.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "csv.hpp"
#include "kpi/date.hpp"
#include "targets_sheet.hpp"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: publish_targets_probe STORE SHEET.csv USER\n";
        return 2;
    }
    kpi::csv::Reader reader(argv[2]);
    std::vector<std::vector<saleskpi::addin::SheetCell>> rows;
    std::vector<std::string> fields;
    while (reader.next(fields)) {
        auto& cells = rows.emplace_back();
        for (const auto& field : fields) {
            auto& cell = cells.emplace_back();
            double number = 0;
            const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), number);
            if (!field.empty() && error == std::errc() && end == field.data() + field.size()) cell.value = number;
            else if (!field.empty()) cell.value = field;
        }
    }
    const auto csv = saleskpi::addin::targetsCsvFromSheet(rows, kpi::makeDay(1899, 12, 30));
    const auto outcome = saleskpi::addin::publishTargets(argv[1], csv, argv[3], saleskpi::addin::kTargetsSheetName);
    std::cout << outcome.message << '\n';
    return outcome.published ? 0 : 1;
}
