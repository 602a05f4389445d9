import sys, time, resource
from openpyxl import Workbook
rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
out = sys.argv[2] if len(sys.argv) > 2 else "big_openpyxl.xlsx"
start = time.time()
wb = Workbook()
ws = wb.active
ws.title = "Data"
ws.append([f"v{i}" for i in range(1, 10)] + ["total"])
for r in range(rows):
    row = [(r * 9 + c) * 0.5 for c in range(9)]
    row.append(f"=SUM(A{r + 2}:I{r + 2})")
    ws.append(row)
wb.save(out)
print(f"openpyxl: {rows} rows x 10 columns, {time.time() - start:.2f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} KB")
