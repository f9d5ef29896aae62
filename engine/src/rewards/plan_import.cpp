#include "rewards/plan_import.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "csv.hpp"
#include "import.hpp"
#include "kpi/date.hpp"
#include "kpi/period.hpp"
#include "kpi_types.hpp"
#include "rewards/plan.hpp"
#include "rewards/schema.hpp"
#include "store/database.hpp"

namespace kpi::rewards {
namespace {

enum class Kind { Plans, Components, Assignments };

struct Column {
    const char* name;
    bool required;
};

struct Spec {
    Kind kind;
    const char* file;
    const char* table;
    std::vector<Column> columns;
    size_t keyColumns;  // the key is the first keyColumns columns
};

// In dependency order: components and assignments name plans.
const std::vector<Spec>& specs() {
    static const std::vector<Spec> all = {
        {Kind::Plans, "plans.csv", "plans",
         {{"code", true}, {"name_vi", true}, {"name_en", true}, {"period_type", true}, {"gate_kpi", false},
          {"gate_min", false}, {"curve_mode", false}},
         1},
        {Kind::Components, "plan_components.csv", "plan_components",
         {{"plan_code", true}, {"kpi_code", true}, {"weight", true}, {"curve", true}},
         2},
        {Kind::Assignments, "plan_assignments.csv", "plan_assignments",
         {{"employee_code", true}, {"plan_code", true}, {"valid_from", true}, {"valid_to", true}, {"incentive", true}},
         3},
    };
    return all;
}

std::string upsertSql(Kind kind) {
    switch (kind) {
    case Kind::Plans:
        return sql::upsertSql(
            "plans", {"code", "name_vi", "name_en", "period_type", "gate_kpi", "gate_min", "curve_mode"}, 1);
    case Kind::Components: return sql::upsertSql("plan_components", {"plan_code", "kpi_code", "weight", "curve"}, 2);
    case Kind::Assignments:
        return sql::upsertSql("plan_assignments", {"employee_code", "plan_code", "valid_from", "valid_to", "incentive"}, 3);
    }
    return "";
}

const char* keyWhere(Kind kind) {
    switch (kind) {
    case Kind::Plans: return "t.code = ?1";
    case Kind::Components: return "t.plan_code = ?1 AND t.kpi_code = ?2";
    case Kind::Assignments: return "t.employee_code = ?1 AND t.plan_code = ?2 AND t.valid_from = ?3";
    }
    return "0";
}

std::string stateSql(Kind kind, const std::string& row, const sql::Database& db) {
    switch (kind) {
    case Kind::Plans: return schema::planState(row, &db);
    case Kind::Components: return schema::componentState(row, &db);
    case Kind::Assignments: return schema::assignmentState(row, &db);
    }
    return "NULL";
}

std::string tableOf(Kind kind) {
    for (const Spec& s : specs())
        if (s.kind == kind) return s.table;
    return "";
}

const char* subjectOf(Kind kind) {
    switch (kind) {
    case Kind::Plans: return "plan";
    case Kind::Components: return "component";
    case Kind::Assignments: return "assignment";
    }
    return "";
}

struct Row {
    long long line = 0;
    std::vector<std::string> values;  // in the spec's column order; "" = not given
    bool good = false;                // checked without an error: to be written
};

struct File {
    const Spec* spec = nullptr;
    std::string name;  // as given
    std::filesystem::path path;
    std::vector<Row> rows;
};

// The stored double of a decimal the checks accepted: correctly rounded.
double storedNumber(std::string_view text) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

class PlanImporter {
public:
    PlanImporter(sql::Database& db, ImportSink& sink) : db_(db), sink_(sink) {}

    // Reads the files and checks every row, writing nothing: fields, rules,
    // references (employees and KPIs through the import they are part of, plans
    // in the store or these files) and keys twice in the import.
    void check(const std::vector<std::filesystem::path>& paths) {
        for (const Spec& spec : specs())
            for (const auto& path : paths)
                if (importer::isFileOfKind(path, spec.file)) read(path, spec);
        // Plans named by components and assignments may come in these files.
        for (const File& file : files_)
            if (file.spec->kind == Kind::Plans)
                for (const Row& row : file.rows) importedPlans_.insert(row.values[0]);
        for (File& file : files_)
            for (Row& row : file.rows) row.good = check(file, row);
    }

    // Writes the rows that passed, with their audit, checks the store-wide rule
    // (overlapping assignments) and logs what changed.
    void write(const std::string& who) {
        for (const File& file : files_) {
            Writer writer(db_, file.spec->kind);
            long long changed = 0;
            for (const Row& row : file.rows)
                if (row.good) changed += write(writer, file, row, who);
            sink_.summary.rowsChanged += changed;
            if (changed > 0) touched_.insert(file.spec->table);
        }
        checkOverlappingAssignments();
        auto change = db_.prepare("INSERT INTO changes(source) VALUES(?1)");
        for (const std::string& table : touched_) {
            change.reset();
            change.bind(1, table).run();
        }
    }

private:
    struct Where {
        std::string file;
        long long line;
    };

    sql::Database& db_;
    ImportSink& sink_;
    std::vector<File> files_;                             // in dependency order
    std::map<Kind, std::map<std::string, Where>> keys_;  // keys of this import, where first seen
    std::set<std::string, std::less<>> importedPlans_;    // plan codes of these files
    std::unordered_map<std::string, bool> lookups_;       // plan code → in the store
    std::set<std::string> touched_;

    void error(const std::string& file, long long line, const std::string& message) { sink_.error(file, line, message); }

    void read(const std::filesystem::path& path, const Spec& spec) {
        File file{&spec, path.string(), path, {}};
        if (!std::filesystem::exists(path)) {
            error(file.name, 1, "file not found");
            return;
        }
        csv::Reader reader(path);
        std::vector<std::string> fields;
        if (!reader.next(fields)) {
            error(file.name, 1, "file is empty (a header row is required)");
            return;
        }
        if (!reader.error().empty()) {
            error(file.name, reader.line(), reader.error());
            return;
        }
        std::vector<int> sourceOf(spec.columns.size(), -1);
        bool headerOk = true;
        for (size_t i = 0; i < fields.size(); ++i) {
            std::string name = fields[i];
            name.erase(0, name.find_first_not_of(' '));
            name.erase(name.find_last_not_of(' ') + 1);
            auto it = std::find_if(spec.columns.begin(), spec.columns.end(),
                                   [&](const Column& c) { return name == c.name; });
            if (it == spec.columns.end()) {
                sink_.summary.warnings.push_back(file.name + ":1: unknown column '" + name + "' ignored");
                continue;
            }
            int& source = sourceOf[static_cast<size_t>(it - spec.columns.begin())];
            if (source >= 0) {
                error(file.name, 1, "column '" + name + "' appears twice");
                headerOk = false;
            }
            source = static_cast<int>(i);
        }
        for (size_t c = 0; c < spec.columns.size(); ++c)
            if (spec.columns[c].required && sourceOf[c] < 0) {
                error(file.name, 1, std::string("missing column '") + spec.columns[c].name + "'");
                headerOk = false;
            }
        if (!headerOk) return;
        const size_t width = fields.size();
        long long rowsRead = 0;
        while (reader.next(fields)) {
            ++rowsRead;
            if (!reader.error().empty()) {
                error(file.name, reader.line(), reader.error());
                continue;
            }
            if (fields.size() != width) {
                error(file.name, reader.line(),
                      "has " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(width));
                continue;
            }
            Row row{reader.line(), std::vector<std::string>(spec.columns.size()), false};
            for (size_t c = 0; c < spec.columns.size(); ++c)
                if (sourceOf[c] >= 0) row.values[c] = fields[static_cast<size_t>(sourceOf[c])];
            file.rows.push_back(std::move(row));
        }
        sink_.summary.rowsRead.emplace_back(spec.file, rowsRead);
        files_.push_back(std::move(file));
    }

    bool knownKpi(const std::string& code) { return sink_.known("kpi", code); }
    bool knownEmployee(const std::string& code) { return sink_.known("employee", code); }
    bool knownPlan(const std::string& code) {
        if (importedPlans_.count(code)) return true;
        auto it = lookups_.find(code);
        if (it != lookups_.end()) return it->second;
        auto st = db_.prepare("SELECT 1 FROM plans WHERE code = ?1");
        st.bind(1, code);
        return lookups_.emplace(code, st.step()).first->second;
    }

    // Checks one row (fields, rules, references, duplicates); true when it may be written.
    bool check(const File& file, const Row& row) {
        size_t errors = 0;
        auto bad = [&](const std::string& message) {
            error(file.name, row.line, message);
            ++errors;
        };
        const auto& v = row.values;
        const auto& columns = file.spec->columns;
        for (size_t c = 0; c < columns.size(); ++c)
            if (columns[c].required && v[c].empty()) bad(std::string("'") + columns[c].name + "' is required");
        auto got = [&](size_t c) { return ", got '" + v[c] + "'"; };
        auto column = [&](size_t c) { return std::string("'") + columns[c].name + "'"; };
        // A decimal ≥ 0 (or > 0 when positive), or nullopt after reporting why.
        auto number = [&](size_t c, bool positive) -> std::optional<Rational> {
            if (v[c].empty()) return std::nullopt;
            auto n = parseDecimal(v[c]);
            if (!n) bad(column(c) + " must be a number (digits, '.' as decimal mark)" + got(c));
            else if (*n < 0) bad(column(c) + " must not be negative" + got(c));
            else if (positive && *n == 0) bad(column(c) + " must be greater than 0" + got(c));
            else return n;
            return std::nullopt;
        };
        auto date = [&](size_t c) -> std::optional<Day> {
            if (v[c].empty()) return std::nullopt;
            auto d = parseDay(v[c]);
            if (!d) bad(column(c) + " must be a date YYYY-MM-DD" + got(c));
            return d;
        };
        switch (file.spec->kind) {
        case Kind::Plans: {
            if (!v[3].empty()) {
                auto type = parsePeriodType(v[3]);
                if (!type || !isPayPeriodType(*type)) bad("'period_type' must be MONTH, QUARTER or YEAR" + got(3));
            }
            if (!v[4].empty() && !knownKpi(v[4])) bad("'gate_kpi' refers to unknown KPI '" + v[4] + "'");
            number(5, false);
            if (!v[4].empty() && v[5].empty()) bad("'gate_kpi' is given without 'gate_min'");
            if (v[4].empty() && !v[5].empty()) bad("'gate_min' is given without 'gate_kpi'");
            if (!v[6].empty() && !parseCurveMode(v[6])) bad("'curve_mode' must be linear or step" + got(6));
            break;
        }
        case Kind::Components: {
            if (!v[0].empty() && !knownPlan(v[0])) bad("'plan_code' refers to unknown plan '" + v[0] + "'");
            if (!v[1].empty() && !knownKpi(v[1])) bad("'kpi_code' refers to unknown KPI '" + v[1] + "'");
            number(2, true);
            std::string why;
            if (!v[3].empty() && !Curve::parse(v[3], why)) bad("'curve' is not a payout curve: " + why + got(3));
            break;
        }
        case Kind::Assignments: {
            if (!v[0].empty() && !knownEmployee(v[0])) bad("'employee_code' refers to unknown employee '" + v[0] + "'");
            if (!v[1].empty() && !knownPlan(v[1])) bad("'plan_code' refers to unknown plan '" + v[1] + "'");
            auto from = date(2), to = date(3);
            if (from && to && *to < *from) bad("'valid_to' is before 'valid_from'");
            number(4, false);
            break;
        }
        }
        if (!v[0].empty()) {
            std::string key = v[0];
            for (size_t c = 1; c < file.spec->keyColumns; ++c) key += '\x1f' + v[c];
            auto [it, inserted] = keys_[file.spec->kind].emplace(key, Where{file.name, row.line});
            if (!inserted) {
                std::string shown = key;
                std::replace(shown.begin(), shown.end(), '\x1f', ',');
                bad("key " + shown + " appears twice in this import (first at " + it->second.file + ":" +
                    std::to_string(it->second.line) + ")");
            }
        }
        return errors == 0;
    }

    struct Writer {
        Kind kind;
        sql::Statement upsert, stateOf, audit;
        Writer(sql::Database& db, Kind k)
            : kind(k),
              upsert(db.prepare(upsertSql(k))),
              stateOf(db.prepare("SELECT " + stateSql(k, "t", db) + " FROM " + tableOf(k) + " t WHERE " + keyWhere(k))),
              audit(db.prepare("INSERT INTO plan_history(changed_at, changed_by, action, subject, plan_code, kpi_code, "
                               "employee_code, valid_from, before, after) SELECT " + db.nowSql() +
                               ", ?8, CASE WHEN CAST(?9 AS TEXT) IS NULL THEN 'new' ELSE 'edit' END, '" +
                               std::string(subjectOf(k)) + "', " + schema::auditKeys(tableOf(k), "t") + ", ?9, " +
                               stateSql(k, "t", db) + " FROM " + tableOf(k) + " t WHERE " + keyWhere(k))) {}
    };

    // Writes a checked row; 1 when it changed the store.
    long long write(Writer& w, const File& file, const Row& row, const std::string& who) {
        const auto& v = row.values;
        const size_t keyColumns = file.spec->keyColumns;
        w.stateOf.reset();
        for (size_t k = 0; k < keyColumns; ++k) w.stateOf.bind(static_cast<int>(k + 1), v[k]);
        std::optional<std::string> before;
        if (w.stateOf.step()) before = std::string(w.stateOf.text(0));
        w.stateOf.reset();
        w.upsert.reset();
        for (size_t c = 0; c < v.size(); ++c) {
            int index = static_cast<int>(c + 1);
            bool numeric = (w.kind == Kind::Plans && c == 5) || (w.kind == Kind::Components && c == 2) ||
                           (w.kind == Kind::Assignments && c == 4);
            if (w.kind == Kind::Plans && c == 6 && v[c].empty()) w.upsert.bind(index, std::string_view("linear"));
            else if (v[c].empty()) w.upsert.bindNull(index);
            else if (numeric) w.upsert.bind(index, storedNumber(v[c]));
            else w.upsert.bind(index, v[c]);
        }
        w.upsert.run();
        if (db_.changes() == 0) return 0;
        w.audit.reset();
        for (size_t k = 0; k < keyColumns; ++k) w.audit.bind(static_cast<int>(k + 1), v[k]);
        w.audit.bind(8, who);
        if (before) w.audit.bind(9, *before);
        else w.audit.bindNull(9);
        w.audit.run();
        return 1;
    }

    // SPEC §9: two assignments of one employee to one plan whose windows
    // overlap are an error; reported at the row of this import among the two.
    void checkOverlappingAssignments() {
        const auto& imported = keys_[Kind::Assignments];
        if (imported.empty()) return;
        auto st = db_.prepare(
            "SELECT a.employee_code, a.plan_code, a.valid_from, a.valid_to, b.valid_from, b.valid_to FROM "
            "plan_assignments a JOIN plan_assignments b ON b.employee_code = a.employee_code AND b.plan_code = "
            "a.plan_code AND b.valid_from > a.valid_from AND b.valid_from <= a.valid_to ORDER BY 1, 2, 3, 5");
        while (st.step()) {
            std::string employee(st.text(0)), plan(st.text(1)), af(st.text(2)), at(st.text(3)), bf(st.text(4)),
                bt(st.text(5));
            std::string message = "assignment of '" + employee + "' to plan '" + plan + "' valid " + bf + ".." + bt +
                                  " overlaps the one valid " + af + ".." + at;
            auto whereOf = [&](const std::string& from) {
                auto it = imported.find(employee + '\x1f' + plan + '\x1f' + from);
                return it == imported.end() ? nullptr : &it->second;
            };
            const Where* where = whereOf(bf);
            if (!where) where = whereOf(af);
            if (where) error(where->file, where->line, message);
        }
    }
};

}  // namespace

const std::vector<std::string>& planFileNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const Spec& s : specs()) out.push_back(s.file);
        return out;
    }();
    return names;
}

void importPlanFiles(sql::Database& db, const std::vector<std::filesystem::path>& files, const std::string& who,
                     ImportSink& sink) {
    if (!schema::hasTables(db)) {
        for (const auto& file : files)
            sink.error(file.string(), 1, "the store has no plan tables yet (an older schema); run `kpi init` to upgrade it");
        return;
    }
    PlanImporter importer(db, sink);
    importer.check(files);
    importer.write(who);
}

void checkPlanFiles(sql::Database& db, const std::vector<std::filesystem::path>& files, ImportSink& sink) {
    if (!schema::hasTables(db)) {
        for (const auto& file : files)
            sink.error(file.string(), 1, "the store has no plan tables yet (an older schema); run `kpi init` to upgrade it");
        return;
    }
    PlanImporter(db, sink).check(files);
}

}  // namespace kpi::rewards
