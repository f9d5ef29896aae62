#!/usr/bin/env python3
"""Hand-checked unit test of the oracle.   python3 tests/oracle/test_oracle.py

A tiny data set whose figures are worked out by hand in the comments below.

Calendar facts used (checked once with a calendar):
  2026-11-01 is a Sunday; the Sundays of November 2026 are 1, 8, 15, 22, 29.
  Holidays: 2026-11-20 (Friday) and 2027-01-01 (Friday).
  W(2026-11) = 30 - 5 Sundays - 1 holiday = 24.
  W(2026-11-16..30) = 15 days - Sundays 22, 29 - holiday 20 = 12.
  W(2026-11-01..10) = 2..7 (6) + 9, 10 (2) = 8.
  W(2026-11-01..18) = 2..7 (6) + 9..14 (6) + 16..18 (3) = 15.
  2026-01-01 is a Thursday, so 2026 has 53 ISO weeks: 2026-W53 = 2026-12-28..2027-01-03,
  W(2026-W53) = Mon 28, Tue 29, Wed 30, Thu 31, Sat 2 = 5 (Fri 1 is a holiday).
"""

import os
import sys
import tempfile
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
from oracle import Date, parse_period  # noqa: E402

FILES = {
    # BOM + CRLF + quoting + diacritics
    "employees.csv": "\ufeffcode,name,role,manager_code,department,region,start_date,end_date\r\n"
                     "ASM1,\"Trần Thị Bích, ASM\",ASM,,Sales,Miền Nam,2020-01-01,\r\n"
                     "SS1,\"Lê Văn \"\"Tư\"\"\",SS,ASM1,Sales,Miền Nam,2020-01-01,\r\n"
                     "SR1,Nguyễn Văn An,SR,SS1,Sales,Miền Nam,2020-01-01,\r\n"
                     "SR2,Phạm Thị Hoa,SR,SS1,Sales,Miền Nam,2026-11-16,\r\n"
                     "SR3,Võ Minh Đức,SR,SS1,Sales,Miền Nam,2020-01-01,2026-11-10\r\n",
    # columns in a different order, an optional column missing
    "outlets.csv": "created_by,code,name,created_date\n"
                   "SR1,O1,\"Tạp hóa \"\"Cô Ba\"\", Q.5\",2020-01-01\n"
                   "SR1,O2,Cửa hàng Hoa Mai,2020-01-01\n"
                   "SR1,O3,Quán Bảy,2020-01-01\n"
                   "SR2,O4,Tiệm Út,2026-11-17\n"
                   "SR2,O5,Tiệm Năm,2026-11-20\n"
                   ",O6,Không ai tạo,2026-11-05\n",
    "products.csv": "sku,name,category,brand\n"
                    "P1,Nước A,A,X\nP2,Bánh B,B,X\nP3,Nước C,A,Y\n",
    "routes.csv": "employee_code,outlet_code,valid_from,valid_to\n"
                  "SR1,O1,2026-01-01,\n"
                  "SR1,O2,2026-01-01,2026-11-15\n"
                  "SR2,O2,2026-11-16,\n"
                  "SR2,O4,2026-11-17,\n",
    "visits.csv": "visit_code,employee_code,outlet_code,visit_time\n"
                  "V1,SR1,O1,2026-11-03 08:50:00\n"
                  "V2,SR1,O2,2026-11-04 10:00:00\n"
                  "V3,SR1,O2,2026-11-05 10:00:00\n"
                  "V4,SR2,O4,2026-11-18 09:00:00\n"
                  "V5,SR2,O2,2026-11-19 09:00:00\n"
                  "V6,SR2,O3,2026-11-19 11:00:00\n",
    "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                  "A1,SR1,O1,2026-11-03 09:00:00,sale,approved,2026-11-03 10:00:00\n"
                  "A2,SR1,O1,2026-11-03 15:00:00,sale,approved,2026-11-03 16:00:00\n"
                  "A3,SR1,O2,2026-11-04 10:05:00,sale,pending,\n"
                  "A4,SR1,O2,2026-11-05 10:05:00,return,approved,2026-11-05 11:00:00\n"
                  "A5,SR2,O4,2026-11-18 09:10:00,sale,approved,2026-11-18 10:00:00\n"
                  "A6,SR1,O1,2026-11-10 09:00:00,sale,rejected,\n"
                  "A7,SR2,O2,2026-11-19 09:10:00,sale,approved,2026-11-19 10:00:00\n"
                  "A8,SR2,O3,2026-11-10 09:00:00,sale,approved,2026-11-10 10:00:00\n"
                  "A9,SR1,O1,2026-12-28 09:00:00,sale,approved,2026-12-28 10:00:00\n"
                  "A10,SR1,O1,2027-01-02 09:00:00,sale,approved,2027-01-02 10:00:00\n"
                  "A11,SR1,O2,2027-01-03 09:00:00,sale,approved,2027-01-03 10:00:00\n"
                  "A12,SR1,O1,2026-11-30 23:59:59,sale,cancelled,\n",
    "order_lines.csv": "order_code,line_no,sku,quantity,amount\n"
                       "A1,1,P1,2,200\nA1,2,P2,1,150\n"
                       "A2,1,P1,1,100\nA2,2,P3,3,300\n"
                       "A3,1,P1,5,500\n"
                       "A4,1,P1,1,100\n"
                       "A5,1,P2,2,300\n"
                       "A6,1,P1,1,100\n"
                       "A8,1,P1,1,100\n"
                       "A9,1,P1,1,100\n"
                       "A10,1,P2,2,300\n"
                       "A11,1,P3,1,50\n"
                       "A12,1,P1,9,900\n",
    "kpis.csv": "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
                "VOL12,VOLUME,Sản lượng,Volume,,,thùng,,1.2\n"
                "FOC,FOCUS_SALES,Doanh số SKU trọng tâm,Focus sales,\"P1, P3\",SR|SS,VND,skus=P1|P3,\n"
                "FOUT_A,FOCUS_OUTLETS,Điểm bán nhóm A,Focus outlets,,,,category=A,\n"
                "NEWNR,NEW_OUTLETS,Điểm bán mới,New outlets,,,,require_order=false,\n",
    "targets.csv": "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                   "SR1,SALES,MONTH,2026-11-01,2026-11-30,500,2\n"
                   "SR1,VOL12,MONTH,2026-11-01,2026-11-30,3,1\n"
                   "SR1,VISITS,MONTH,2026-11-01,2026-11-30,1,0\n"
                   "SR1,PC,DAY,2026-11-02,2026-11-06,2,\n"
                   "SR1,PC,MONTH,2026-12-01,2026-12-10,5,\n"
                   "SR1,PC,MONTH,2026-12-11,2026-12-31,8,\n"
                   "SR1,SALES,WEEK,2026-12-30,2027-01-05,1000,1\n"
                   "SR2,SALES,MONTH,2026-11-01,2026-11-30,2600,1\n"
                   "SR2,VISITS,CYCLE,2026-11-16,2026-11-30,5,0\n"
                   "SR3,SALES,MONTH,2026-11-01,2026-11-30,2400,1\n"
                   "SS1,ASO,CYCLE,2026-11-16,2026-11-30,4,1\n"
                   "SS1,PC,MONTH,2026-11-01,2026-11-30,0,1\n",
    "holidays.csv": "date,name\n2026-11-20,Ngày Nhà giáo\n2027-01-01,Tết Dương lịch\n",
}

passed = 0
failed = 0


def check(what, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: got %r, expected %r" % (what, got, expected))


def main():
    tmp = tempfile.mkdtemp(prefix="oracle_test_")
    for name, text in FILES.items():
        with open(os.path.join(tmp, name), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    data = oracle.Data(tmp)
    P = parse_period
    NOV = P("2026-11")

    def act(e, k, p):
        return oracle.actual(data, e, k, P(p))

    def tgt(e, k, p):
        return oracle.effective_target(data, e, k, P(p))

    # ---- periods ----------------------------------------------------------------
    check("W53 exists", P("2026-W53").start, Date(2026, 12, 28))
    check("W53 ends in 2027", P("2026-W53").end, Date(2027, 1, 3))
    check("2027-W01", (P("2027-W01").start, P("2027-W01").end),
          (Date(2027, 1, 4), Date(2027, 1, 10)))
    for bad in ("2027-W53", "2026-13", "2026-Q5", "2026-11-20..2026-11-01"):
        try:
            P(bad)
            check("reject " + bad, "accepted", "error")
        except (oracle.OracleError, ValueError):
            check("reject " + bad, "error", "error")
    check("quarter", (P("2026-Q4").start, P("2026-Q4").end),
          (Date(2026, 10, 1), Date(2026, 12, 31)))
    check("W(Nov)", oracle.W(data, NOV.start, NOV.end), 24)
    check("W(W53)", oracle.W(data, Date(2026, 12, 28), Date(2027, 1, 3)), 5)

    # ---- SR1, November: returns, pending/rejected/cancelled excluded ------------
    # sale lines A1 200+150, A2 100+300 = 750; return A4 -100 -> 650
    check("SR1 SALES Nov", act("SR1", "SALES", "2026-11"), F(650))
    # 2+1+1+3 - 1 = 6 (VOL12 has no params)
    check("SR1 VOLUME Nov", act("SR1", "VOLUME", "2026-11"), F(6))
    check("SR1 VOL12 Nov", act("SR1", "VOL12", "2026-11"), F(6))
    # two orders A1, A2 in one call (SR1, O1, 11-03): PC = 1, SKUs {P1,P2,P3} -> LPPC 3
    check("SR1 PC Nov", act("SR1", "PC", "2026-11"), F(1))
    check("SR1 LPPC Nov", act("SR1", "LPPC", "2026-11"), F(3))
    check("SR1 VISITS Nov", act("SR1", "VISITS", "2026-11"), F(3))
    check("SR1 STRIKE_RATE Nov", act("SR1", "STRIKE_RATE", "2026-11"), F(1, 3))
    check("SR1 DROP_SIZE Nov", act("SR1", "DROP_SIZE", "2026-11"), F(650))
    # FOC skus=P1|P3: 200 + 100 + 300 - return P1 100 = 500
    check("SR1 FOC Nov", act("SR1", "FOC", "2026-11"), F(500))
    # FOUT_A category=A: outlets with an approved sale line of P1/P3: O1
    check("SR1 FOUT_A Nov", act("SR1", "FOUT_A", "2026-11"), F(1))
    # routes: on 11-30 only O1; on 11-10 O1 and O2 (O2 moved to SR2 on 11-16)
    check("SR1 UB Nov", act("SR1", "UB", "2026-11"), F(1))
    check("SR1 UB 11-10", act("SR1", "UB", "2026-11-10"), F(2))
    check("SR2 UB Nov", act("SR2", "UB", "2026-11"), F(2))
    check("SR1 ASO Nov", act("SR1", "ASO", "2026-11"), F(1))
    check("SR1 SALES 11-04 (pending only)", act("SR1", "SALES", "2026-11-04"), F(0))
    check("SR1 SALES 11-05 (return only)", act("SR1", "SALES", "2026-11-05"), F(-100))
    check("SR1 PC 11-05 (return is no call)", act("SR1", "PC", "2026-11-05"), F(0))

    # ---- SR2 joiner (starts 11-16) ------------------------------------------------
    # clipped 11-16..30: A5 300 (A8 on 11-10 is before the start), A7 has no lines
    check("SR2 SALES Nov", act("SR2", "SALES", "2026-11"), F(300))
    check("SR2 PC Nov (no-line order counts)", act("SR2", "PC", "2026-11"), F(2))
    check("SR2 LPPC Nov", act("SR2", "LPPC", "2026-11"), F(1, 2))
    check("SR2 SALES 11-10 (before start)", act("SR2", "SALES", "2026-11-10"), F(0))
    # O4 created 11-17 by SR2 and ordered 11-18; O5 created 11-20, no order
    check("SR2 NEW_OUTLETS Nov", act("SR2", "NEW_OUTLETS", "2026-11"), F(1))
    check("SR2 NEWNR Nov", act("SR2", "NEWNR", "2026-11"), F(2))
    # target 2600 x 12 / 24
    check("SR2 SALES target Nov (joiner)", tgt("SR2", "SALES", "2026-11"), F(1300))
    check("SR2 SALES attainment Nov", oracle.attainment(data, "SR2", "SALES", NOV),
          F(300, 1300))
    # projected as of 11-18: 300 x 12 / W(16..18)=3
    check("SR2 SALES projected Nov @11-18",
          oracle.projected(data, "SR2", "SALES", NOV, Date(2026, 11, 18)), F(1200))
    check("SR2 SALES target 11-10 (not employed)", tgt("SR2", "SALES", "2026-11-10"), None)

    # ---- SR3 leaver (ends 11-10) --------------------------------------------------
    check("SR3 SALES target Nov (leaver)", tgt("SR3", "SALES", "2026-11"), F(800))
    check("SR3 SALES target Dec", tgt("SR3", "SALES", "2026-12"), None)
    check("SR3 SALES Dec (not employed)", act("SR3", "SALES", "2026-12"), F(0))

    # ---- SS1 (team) ----------------------------------------------------------------
    # subtree SS1, SR1, SR2, SR3 whatever their windows: 650 + 300 + A8 100
    check("SS1 SALES Nov", act("SS1", "SALES", "2026-11"), F(1050))
    # calls (SR1,O1,11-03) (SR2,O4,11-18) (SR2,O2,11-19) (SR2,O3,11-10)
    check("SS1 PC Nov", act("SS1", "PC", "2026-11"), F(4))
    check("SS1 LPPC Nov", act("SS1", "LPPC", "2026-11"), F(5, 4))
    check("SS1 ASO Nov", act("SS1", "ASO", "2026-11"), F(4))
    # routes valid 11-30: SR1-O1, SR2-O2, SR2-O4 -> 3; all three ordered
    check("SS1 UB Nov", act("SS1", "UB", "2026-11"), F(3))
    check("SS1 COVERAGE Nov", act("SS1", "COVERAGE", "2026-11"), F(1))
    check("ASM1 SALES Nov", act("ASM1", "SALES", "2026-11"), F(1050))
    check("* SALES Nov", act("*", "SALES", "2026-11"), F(1050))
    # O6 has no created_by: not created by anyone
    check("* NEWNR Nov", act("*", "NEWNR", "2026-11"), F(2))
    check("* target", tgt("*", "SALES", "2026-11"), None)

    # ---- DAY-target fallback ------------------------------------------------------
    # no MONTH PC row in Nov; DAY rows 11-02..11-06 (5 working days) x 2
    check("SR1 PC target Nov (fallback)", tgt("SR1", "PC", "2026-11"), F(10))
    check("SR1 PC target W45 (fallback)", tgt("SR1", "PC", "2026-W45"), F(10))
    check("SR1 PC target W46 (no day rows)", tgt("SR1", "PC", "2026-W46"), None)
    check("SR1 PC target 11-03", tgt("SR1", "PC", "2026-11-03"), F(2))
    check("SR1 PC target 11-08 (Sunday)", tgt("SR1", "PC", "2026-11-08"), None)
    check("SR1 LPPC target Nov (no fallback)", tgt("SR1", "LPPC", "2026-11"), None)
    check("SR1 PC attainment Nov", oracle.attainment(data, "SR1", "PC", NOV), F(1, 10))
    # two MONTH rows touch December: latest valid_from (12-11, target 8) wins
    check("SR1 PC target Dec (latest row)", tgt("SR1", "PC", "2026-12"), F(8))

    # ---- ISO week across the year boundary ---------------------------------------
    W53 = P("2026-W53")
    # A9 12-28 100 + A10 01-02 300 + A11 01-03 (Sunday) 50
    check("SR1 SALES W53", act("SR1", "SALES", "2026-W53"), F(450))
    check("SR1 SALES target W53", tgt("SR1", "SALES", "2026-W53"), F(1000))
    check("SR1 SALES target 2027-W01", tgt("SR1", "SALES", "2027-W01"), F(1000))
    check("SR1 SALES projected W53 @12-30",
          oracle.projected(data, "SR1", "SALES", W53, Date(2026, 12, 30)), F(750))
    check("SR1 SALES projected W53 @01-03",
          oracle.projected(data, "SR1", "SALES", W53, Date(2027, 1, 3)), F(450))
    check("SR1 SALES projected W53 @01-04 (outside)",
          oracle.projected(data, "SR1", "SALES", W53, Date(2027, 1, 4)), F(450))
    check("SR1 LPPC projected = actual",
          oracle.projected(data, "SR1", "LPPC", NOV, Date(2026, 11, 18)), F(3))
    check("report W53", oracle.report_csv(data, W53, as_of=Date(2026, 12, 30)),
          "employee_code,kpi_code,period_type,period_start,period_end,actual,target,"
          "attainment,projected,weight\n"
          "SR1,SALES,WEEK,2026-12-28,2027-01-03,450,1000,0.45,750,1\n")
    check("report Dec --type WEEK (W53 not inside December)",
          len(oracle.report_rows(data, P("2026-12"), "WEEK", as_of=Date(2026, 12, 30))), 0)
    rows = oracle.report_rows(data, P("2026-12-28..2027-01-10"), "WEEK",
                              as_of=Date(2026, 12, 30))
    check("report cycle --type WEEK", [(r["period_start"], r["actual"]) for r in rows],
          [(Date(2026, 12, 28), F(450)), (Date(2027, 1, 4), F(0))])

    # ---- report and score for November -------------------------------------------
    asof = Date(2026, 11, 18)
    check("report Nov", oracle.report_csv(data, NOV, as_of=asof),
          "employee_code,kpi_code,period_type,period_start,period_end,actual,target,"
          "attainment,projected,weight\n"
          "SR1,SALES,MONTH,2026-11-01,2026-11-30,650,500,1.3,1040,2\n"
          "SR1,VISITS,MONTH,2026-11-01,2026-11-30,3,1,3,4.8,0\n"
          "SR1,VOL12,MONTH,2026-11-01,2026-11-30,6,3,2,9.6,1\n"
          "SR2,SALES,MONTH,2026-11-16,2026-11-30,300,1300,0.230769,1200,1\n"
          "SR3,SALES,MONTH,2026-11-01,2026-11-10,0,800,0,0,1\n"
          "SS1,PC,MONTH,2026-11-01,2026-11-30,4,0,,6.4,1\n")
    check("report Nov --employee SR2",
          [r["employee_code"] for r in oracle.report_rows(data, NOV, None, "SR2", asof)],
          ["SR2"])
    check("report Nov --employee ASM1",
          len(oracle.report_rows(data, NOV, None, "ASM1", asof)), 6)
    # DAY rows only with --type DAY: 11-02..11-06
    rows = oracle.report_rows(data, NOV, "DAY", None, asof)
    check("report Nov --type DAY", [(r["employee_code"], r["kpi_code"], r["period_start"].day)
                                    for r in rows],
          [("SR1", "PC", d) for d in (2, 3, 4, 5, 6)])
    check("report 11-03", oracle.report_csv(data, P("2026-11-03"), as_of=Date(2026, 11, 3)),
          "employee_code,kpi_code,period_type,period_start,period_end,actual,target,"
          "attainment,projected,weight\n"
          "SR1,PC,DAY,2026-11-03,2026-11-03,1,2,0.5,1,1\n")
    # SR1 (2x1.3 + 1xmin(2, cap 1.2)) / 3, VISITS has weight 0; SR3 att 0; SS1 target 0
    check("score Nov", oracle.score_csv(data, NOV, asof),
          "employee_code,period_type,period_start,period_end,score\n"
          "SR1,MONTH,2026-11-01,2026-11-30,1.266667\n"
          "SR2,MONTH,2026-11-01,2026-11-30,0.230769\n"
          "SR3,MONTH,2026-11-01,2026-11-30,0\n"
          "SS1,MONTH,2026-11-01,2026-11-30,\n")
    # CYCLE P: cycle rows lying inside.  SS1 ASO 11-16..30: O4, O2 -> 2 of 4.
    # SR2 VISITS: 3 visits / 5, weight 0 -> no score.
    cyc = P("2026-11-01..2026-11-30")
    check("report cycle", oracle.report_csv(data, cyc, as_of=asof),
          "employee_code,kpi_code,period_type,period_start,period_end,actual,target,"
          "attainment,projected,weight\n"
          "SR2,VISITS,CYCLE,2026-11-16,2026-11-30,3,5,0.6,12,0\n"
          "SS1,ASO,CYCLE,2026-11-16,2026-11-30,2,4,0.5,2,1\n")
    check("score cycle", oracle.score_csv(data, cyc, asof),
          "employee_code,period_type,period_start,period_end,score\n"
          "SR2,CYCLE,2026-11-01,2026-11-30,\n"
          "SS1,CYCLE,2026-11-01,2026-11-30,0.5\n")

    # ---- number formatting ----------------------------------------------------------
    fmt = oracle.fmt_number
    for value, text in ((F(12345, 10), "1234.5"), (F(1, 3), "0.333333"), (F(12), "12"),
                        (F(2, 3), "0.666667"), (F(-1, 10 ** 7), "0"), (None, ""),
                        (F(-5, 2), "-2.5"), (F(10 ** 9), "1000000000")):
        check("fmt %r" % (value,), fmt(value), text)

    # ---- the command line -------------------------------------------------------------
    import io
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = oracle.main([tmp, "target", "SR2", "SALES", "2026-11"])
    check("cli target", (rc, buf.getvalue()), (0, "1300\n"))
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = oracle.main([tmp, "projected", "SR2", "SALES", "2026-11", "--as-of", "2026-11-18"])
    check("cli projected", (rc, buf.getvalue()), (0, "1200\n"))

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
