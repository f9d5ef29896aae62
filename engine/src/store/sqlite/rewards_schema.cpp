#include "store/sqlite/rewards_schema.hpp"

#include "rewards/schema.hpp"
#include "store/sqlite/sqlite.hpp"

namespace kpi::rewards::schema::sqlite {
namespace {

constexpr const char* kTables = R"SQL(
-- Reward plans (SPEC §9). gate_kpi and kpi_code name a row of kpis or a bare
-- KPI type, hence no foreign key on them.
CREATE TABLE plans(
  code TEXT PRIMARY KEY,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL,
  period_type TEXT NOT NULL CHECK (period_type IN ('MONTH','QUARTER','YEAR')),
  gate_kpi TEXT,
  gate_min REAL CHECK (gate_min IS NULL OR gate_min >= 0),
  curve_mode TEXT NOT NULL DEFAULT 'linear' CHECK (curve_mode IN ('linear','step')),
  CHECK ((gate_kpi IS NULL) = (gate_min IS NULL))
);

CREATE TABLE plan_components(
  plan_code TEXT NOT NULL REFERENCES plans(code) DEFERRABLE INITIALLY DEFERRED,
  kpi_code TEXT NOT NULL,
  weight REAL NOT NULL CHECK (weight > 0),
  curve TEXT NOT NULL,
  PRIMARY KEY (plan_code, kpi_code)
) WITHOUT ROWID;

CREATE TABLE plan_assignments(
  employee_code TEXT NOT NULL REFERENCES employees(code) DEFERRABLE INITIALLY DEFERRED,
  plan_code TEXT NOT NULL REFERENCES plans(code) DEFERRABLE INITIALLY DEFERRED,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  incentive REAL NOT NULL CHECK (incentive >= 0),
  PRIMARY KEY (employee_code, plan_code, valid_from),
  CHECK (valid_to >= valid_from)
) WITHOUT ROWID;

-- Every change to a plan, a component or an assignment: who, when, before, after.
CREATE TABLE plan_history(
  id INTEGER PRIMARY KEY,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('new', 'edit', 'remove')),
  subject TEXT NOT NULL CHECK (subject IN ('plan', 'component', 'assignment')),
  plan_code TEXT NOT NULL,
  kpi_code TEXT,
  employee_code TEXT,
  valid_from TEXT,
  before TEXT,
  after TEXT
);
CREATE INDEX plan_history_by_plan ON plan_history(plan_code);

-- Closed pay periods (SPEC §10): the periods closed now. seq orders the closes,
-- so that a reopen unwinds the last one; it is never reused.
CREATE TABLE closes(
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  period_type TEXT NOT NULL CHECK (period_type IN ('MONTH','QUARTER','YEAR')),
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  closed_at TEXT NOT NULL,
  closed_by TEXT NOT NULL,
  UNIQUE (period_type, period_start)
);

-- Every close and reopen, kept after a reopen: who, when, why.
CREATE TABLE close_history(
  id INTEGER PRIMARY KEY,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('close', 'reopen')),
  period_type TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  reason TEXT
);

-- The rows `kpi report --period P` gave when P was closed (period_start and
-- period_end: the row's clipped period), with the KPI's cap for the score.
CREATE TABLE frozen_report_rows(
  close_seq INTEGER NOT NULL REFERENCES closes(seq) ON DELETE CASCADE,
  employee_code TEXT NOT NULL,
  kpi_code TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  actual REAL NOT NULL,
  target REAL,
  attainment REAL,
  projected REAL NOT NULL,
  weight REAL NOT NULL,
  cap REAL NOT NULL,
  PRIMARY KEY (close_seq, employee_code, kpi_code, period_start)
) WITHOUT ROWID;

-- The rows `kpi payout --period P` gave when P was closed, in their order
-- (row_no), with what a statement shows beside them. Amounts are whole VND.
-- An adjustment row's period is the earlier closed period it corrects.
CREATE TABLE frozen_payout_rows(
  close_seq INTEGER NOT NULL REFERENCES closes(seq) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  employee_code TEXT NOT NULL,
  plan_code TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('component', 'gate', 'adjustment', 'total')),
  kpi_code TEXT,
  attainment REAL,
  factor REAL,
  incentive REAL,
  amount INTEGER,
  actual REAL,
  target REAL,
  weight REAL,
  gate_min REAL,
  block_incentive REAL,
  full_incentive REAL,
  working_days INTEGER,
  full_working_days INTEGER,
  PRIMARY KEY (close_seq, row_no)
) WITHOUT ROWID;

-- The adjustments settled in each closed period, and the period each corrects.
CREATE VIEW settled_adjustments AS
  SELECT c.period_type, c.period_start AS settled_in_start, c.period_end AS settled_in_end,
         f.employee_code, f.plan_code, f.period_start AS corrects_start, f.period_end AS corrects_end, f.amount
  FROM frozen_payout_rows f JOIN closes c ON c.seq = f.close_seq WHERE f.kind = 'adjustment';
)SQL";

// Direct writers (not `kpi import`, which writes these rows itself) get the
// same change-log and audit rows as the import, through triggers.
std::string triggers() {
    const std::string now = "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')";
    const std::string insert = "INSERT INTO plan_history(changed_at, changed_by, action, subject, plan_code, "
                               "kpi_code, employee_code, valid_from, before, after) VALUES(" + now +
                               ", 'direct write', ";
    std::string sqlText;
    struct Audited {
        const char* table;
        const char* subject;
        std::string (*state)(const std::string&, const sql::Database*);
    };
    const Audited audited[] = {{"plans", "plan", planState},
                               {"plan_components", "component", componentState},
                               {"plan_assignments", "assignment", assignmentState}};
    for (const Audited& a : audited) {
        std::string table = a.table, subject = a.subject;
        const auto keysOf = [](const Audited& t, const char* row) { return auditKeys(t.table, row); };
        std::string change = "INSERT INTO changes(source) VALUES('" + table + "'); ";
        sqlText += "CREATE TRIGGER " + table + "_audit_insert AFTER INSERT ON " + table + " BEGIN " + change +
                   insert + "'new', '" + subject + "', " + keysOf(a, "NEW") + ", NULL, " + a.state("NEW", nullptr) +
                   "); END;\n";
        sqlText += "CREATE TRIGGER " + table + "_audit_update AFTER UPDATE ON " + table + " BEGIN " + change +
                   insert + "'edit', '" + subject + "', " + keysOf(a, "NEW") + ", " + a.state("OLD", nullptr) + ", " +
                   a.state("NEW", nullptr) + "); END;\n";
        sqlText += "CREATE TRIGGER " + table + "_audit_delete AFTER DELETE ON " + table + " BEGIN " + change +
                   insert + "'remove', '" + subject + "', " + keysOf(a, "OLD") + ", " + a.state("OLD", nullptr) +
                   ", NULL); END;\n";
    }
    return sqlText;
}

}  // namespace

void createTables(sql::Database& db) {
    db.exec(kTables);
    db.exec(triggers());
}

}  // namespace kpi::rewards::schema::sqlite
