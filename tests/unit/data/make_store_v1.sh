#!/usr/bin/env bash
# Makes store-v1.sqlite, the schema-version-1 store the upgrade tests start from
# (tests/unit/schema_test.cpp). It must be made by a kpi of schema version 1:
# it was made with the kpi of commit da914b6 (the last one before version 2):
#   tests/unit/data/make_store_v1.sh PATH/TO/OLD/kpi
# A small distributor imported by that kpi, then written to directly (through
# version 1's triggers) as a DMS would: a new order with decimal amounts, a
# status change and a target edit, so that the file also holds change-log and
# audit rows written by version 1's triggers.
set -euo pipefail
kpi=${1:?usage: make_store_v1.sh PATH/TO/VERSION-1/kpi}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > employees.csv <<'CSV'
code,name,role,manager_code,department,region,start_date,end_date
M1,Trần Văn Hùng,SS,,Kênh GT,Hồ Chí Minh,2020-01-01,
S1,Nguyễn Thị Lan,SR,M1,Kênh GT,Hồ Chí Minh,2020-01-01,
S2,Lê Văn Bình,SR,M1,Kênh GT,Hồ Chí Minh,2026-11-16,
CSV
cat > outlets.csv <<'CSV'
code,name,channel,province,created_date,created_by
O1,Tạp hóa Cô Ba,GT,Hồ Chí Minh,2025-01-01,
O2,Tạp hóa Minh Anh,GT,Hồ Chí Minh,2026-11-05,S1
CSV
cat > products.csv <<'CSV'
sku,name,category,brand
P1,Sữa tươi 180ml,Dairy,VinaMilk
P2,Bánh snack tôm,Snack,Oishi
CSV
cat > routes.csv <<'CSV'
employee_code,outlet_code,valid_from,valid_to
S1,O1,2026-01-01,
S1,O2,2026-11-05,
S2,O1,2026-11-16,
CSV
cat > kpis.csv <<'CSV'
code,type,name_vi,name_en,description,applies_to,unit,params,cap
SALES_TOTAL,SALES,Doanh số,Sales,,SR|SS,VND,,
VOL_DAIRY,VOLUME,Sản lượng sữa,Dairy volume,,,pcs,category=Dairy,
CSV
cat > orders.csv <<'CSV'
order_code,employee_code,outlet_code,order_time,type,status,approved_time
A1,S1,O1,2026-11-02 08:00:00,sale,approved,2026-11-02 12:00:00
A2,S1,O2,2026-11-05 09:30:00,sale,approved,
A3,S1,O1,2026-11-06 10:00:00,sale,pending,
R1,S1,O1,2026-11-10 10:00:00,return,approved,
B1,S2,O1,2026-11-17 11:00:00,sale,approved,
CSV
cat > order_lines.csv <<'CSV'
order_code,line_no,sku,quantity,amount
A1,1,P1,10,100000.1
A1,2,P2,5,50000.2
A2,1,P1,2.5,20000.3
A3,1,P1,1,9999
R1,1,P1,0.5,5000.1
B1,1,P2,6,60000
CSV
cat > visits.csv <<'CSV'
visit_code,employee_code,outlet_code,visit_time
V1,S1,O1,2026-11-02 07:55:00
V2,S1,O2,2026-11-05 09:00:00
V3,S2,O1,2026-11-17 10:50:00
CSV
cat > targets.csv <<'CSV'
employee_code,kpi_code,period_type,valid_from,valid_to,target,weight
S1,SALES_TOTAL,MONTH,2026-11-01,2026-11-30,165000.5,2
S1,VOL_DAIRY,MONTH,2026-11-01,2026-11-30,12,1
S2,SALES_TOTAL,MONTH,2026-11-01,2026-11-30,100000,
CSV
cat > holidays.csv <<'CSV'
date,name
2026-11-20,Ngày Nhà giáo Việt Nam
CSV
"$kpi" --store store-v1.sqlite init
"$kpi" --store store-v1.sqlite import --user setup ./*.csv
sqlite3 store-v1.sqlite <<'SQL'
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status)
  VALUES('D1', 'S2', 'O1', '2026-11-18 09:00:00', 'sale', 'pending');
INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES('D1', 1, 'P1', 0.1, 0.1), ('D1', 2, 'P2', 0.2, 0.2);
COMMIT;
UPDATE orders SET status = 'approved', approved_time = '2026-11-18 10:00:00' WHERE order_code = 'D1';
UPDATE targets SET target = 60000.3 WHERE employee_code = 'S2';
PRAGMA wal_checkpoint(TRUNCATE);
SQL
sqlite3 store-v1.sqlite "PRAGMA journal_mode=DELETE; VACUUM;" >/dev/null
test "$(sqlite3 store-v1.sqlite 'PRAGMA user_version')" = 1
cp store-v1.sqlite "$here/store-v1.sqlite"
echo "wrote $here/store-v1.sqlite"
