#!/usr/bin/env python3
"""Hand-checked unit test of the rewards oracle.   python3 tests/oracle/test_rewards_oracle.py

November 2026 has no holiday here: W(2026-11) = 30 - 5 Sundays (1, 8, 15, 22, 29) = 25;
SR2 joins on Monday 16 November: W(16..30) = 15 - 2 Sundays = 13.

Plan P (MONTH, gate DS >= 0.8, linear, one component DS weight 1, curve
0.8:0.5|1:1|1.2:1.5), both on it with an incentive of 3,000,000:
  SR1: 900,000 / 1,000,000 = 0.9 -> f = 0.5 + 0.1 x 2.5 = 0.75 -> 2,250,000.
  SR2: target 1,000,000 x 13/25 = 520,000; 500,000 / 520,000 = 25/26;
       f = 0.5 + (25/26 - 4/5) x 5/2 = 47/52; incentive 3,000,000 x 13/25 = 1,560,000;
       1,560,000 x 47/52 = 1,410,000.
November closed, then a return of 100,000 dated 10 November (SR1): 0.8 -> f = 0.5 ->
1,500,000, so December settles -750,000 for November; December has no sale, its gate
fails: SR1's December total is -750,000.
"""

import os
import shutil
import sys
import tempfile
import unittest
from fractions import Fraction as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402
import rewards_oracle as ro  # noqa: E402

FILES = {
    "employees.csv": "code,name,role,manager_code,department,region,start_date,end_date\n"
                     "SS1,Trần Thị Bích,SS,,GT,Nam,2020-01-01,\n"
                     "SR1,Nguyễn Văn An,SR,SS1,GT,Nam,2020-01-01,\n"
                     "SR2,Lê Hoàng Phúc,SR,SS1,GT,Nam,2026-11-16,\n",
    "outlets.csv": "code,name,created_date\nO1,Tạp hóa Cô Ba,2020-01-01\n",
    "products.csv": "sku,name\nP1,Sữa\n",
    "routes.csv": "employee_code,outlet_code,valid_from\n",
    "visits.csv": "visit_code,employee_code,outlet_code,visit_time\n",
    "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status\n"
                  "A1,SR1,O1,2026-11-03 09:00:00,sale,approved\n"
                  "A2,SR2,O1,2026-11-20 09:00:00,sale,approved\n",
    "order_lines.csv": "order_code,line_no,sku,quantity,amount\nA1,1,P1,9,900000\nA2,1,P1,5,500000\n",
    "kpis.csv": "code,type,name_vi,name_en\nDS,SALES,Doanh số,Sales\n",
    "targets.csv": "employee_code,kpi_code,period_type,valid_from,valid_to,target\n"
                   "SR1,DS,MONTH,2026-01-01,2026-12-31,1000000\n"
                   "SR2,DS,MONTH,2026-01-01,2026-12-31,1000000\n",
    "holidays.csv": "date,name\n",
    "plans.csv": "code,name_vi,name_en,period_type,gate_kpi,gate_min,curve_mode\n"
                 "P,Thưởng,Bonus,MONTH,DS,0.8,\n",
    "plan_components.csv": "plan_code,kpi_code,weight,curve\nP,DS,1,0.8:0.5|1:1|1.2:1.5\n",
    "plan_assignments.csv": "employee_code,plan_code,valid_from,valid_to,incentive\n"
                            "SR1,P,2026-01-01,2026-12-31,3000000\n"
                            "SR2,P,2026-01-01,2026-12-31,3000000\n",
}


class Curves(unittest.TestCase):
    points = ro.parse_curve("0.8:0.5|1:1|1.2:1.5")

    def test_zero_below_the_first_point_and_the_last_factor_from_the_last_point_on(self):
        for mode in ("linear", "step"):
            self.assertEqual(ro.curve_factor(self.points, mode, F(79, 100)), 0)
            self.assertEqual(ro.curve_factor(self.points, mode, F(12, 10)), F(3, 2))
            self.assertEqual(ro.curve_factor(self.points, mode, F(5)), F(3, 2))

    def test_on_a_point_both_modes_give_its_factor(self):
        for mode in ("linear", "step"):
            self.assertEqual(ro.curve_factor(self.points, mode, F(8, 10)), F(1, 2))
            self.assertEqual(ro.curve_factor(self.points, mode, F(1)), F(1))

    def test_between_points_linear_interpolates_and_step_keeps_the_lower_point(self):
        self.assertEqual(ro.curve_factor(self.points, "linear", F(9, 10)), F(3, 4))
        self.assertEqual(ro.curve_factor(self.points, "step", F(9, 10)), F(1, 2))
        self.assertEqual(ro.curve_factor(self.points, "step", F(119, 100)), F(1))

    def test_amounts_round_half_away_from_zero(self):
        self.assertEqual(ro.round_vnd(F(5, 2)), 3)
        self.assertEqual(ro.round_vnd(F(-5, 2)), -3)
        self.assertEqual(ro.round_vnd(F(24999, 10000)), 2)
        self.assertEqual(ro.round_vnd(F(-24999, 10000)), -2)


class Payouts(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rewards-oracle-")
        for name, text in FILES.items():
            with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
                f.write(text)
        self.world = ro.World(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def amounts(self, period):
        return [(r["employee_code"], r["kind"], r["period_start"].isoformat(), r["amount"])
                for r in ro.payout(self.world, oracle.parse_period(period))]

    def test_a_joiner_is_prorated_by_working_days_and_attains_against_the_prorated_target(self):
        rows = ro.payout(self.world, oracle.parse_period("2026-11"))
        sr2 = [r for r in rows if r["employee_code"] == "SR2"]
        self.assertEqual(sr2[0]["attainment"], F(25, 26))
        self.assertEqual(sr2[0]["factor"], F(47, 52))
        self.assertEqual(sr2[0]["incentive"], F(1560000))
        self.assertEqual(self.amounts("2026-11"), [
            ("SR1", "component", "2026-11-01", 2250000), ("SR1", "gate", "2026-11-01", None),
            ("SR1", "total", "2026-11-01", 2250000),
            ("SR2", "component", "2026-11-16", 1410000), ("SR2", "gate", "2026-11-16", None),
            ("SR2", "total", "2026-11-16", 1410000)])

    def test_a_late_return_after_the_close_is_settled_in_the_next_close(self):
        ro.close(self.world, oracle.parse_period("2026-11"), oracle.Date(2027, 1, 5))
        with open(os.path.join(self.dir, "orders.csv"), "a", encoding="utf-8") as f:
            f.write("R1,SR1,O1,2026-11-10 09:00:00,return,approved\n")
        with open(os.path.join(self.dir, "order_lines.csv"), "a", encoding="utf-8") as f:
            f.write("R1,1,P1,1,100000\n")
        self.world.reload()
        # November stays as closed; --live shows today's figures.
        self.assertEqual(self.amounts("2026-11")[2], ("SR1", "total", "2026-11-01", 2250000))
        live = ro.payout(self.world, oracle.parse_period("2026-11"), live=True)
        self.assertEqual(live[0]["amount"], 1500000)
        self.assertEqual([a for a in self.amounts("2026-12") if a[0] == "SR1"], [
            ("SR1", "component", "2026-12-01", 0), ("SR1", "gate", "2026-12-01", None),
            ("SR1", "adjustment", "2026-11-01", -750000), ("SR1", "total", "2026-12-01", -750000)])
        ro.close(self.world, oracle.parse_period("2026-12"), oracle.Date(2027, 1, 5))
        with self.assertRaises(ro.Refused):
            ro.reopen(self.world, oracle.parse_period("2026-11"))   # December was closed after it
        with self.assertRaises(ro.Refused):
            ro.close(self.world, oracle.parse_period("2026-11"), oracle.Date(2027, 1, 5))


if __name__ == "__main__":
    unittest.main()
