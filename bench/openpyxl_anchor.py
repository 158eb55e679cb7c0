"""The openpyxl anchors of bench/run.sh.

  write SNAPSHOT/json OUT.xlsx: every json/<kind>.json as a sheet of a
      write-only workbook (one row per record, one column per field, nested
      values as JSON text): what halocfg's json -> xlsx does, less its notes.
  read BOOK.xlsx: every row of every sheet in read-only mode, as an analyst's
      script reads a workbook (it trusts each sheet's <dimension>).
"""
import json
import os
import sys

import openpyxl


def write(src, out):
    wb = openpyxl.Workbook(write_only=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(src, name), encoding="utf-8") as f:
            recs = json.load(f)
        fields = {}
        for r in recs:
            for k in r:
                fields.setdefault(k, None)
        ws = wb.create_sheet(name[: -len(".json")])
        ws.append(list(fields))
        for r in recs:
            row = []
            for k in fields:
                v = r.get(k)
                if isinstance(v, (dict, list)):
                    v = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                if isinstance(v, str) and len(v) > 32767:
                    v = v[:32767]  # a cell's limit; halocfg continues it in _cells
                row.append(v)
            ws.append(row)
    wb.save(out)
    print(len(wb.worksheets), "sheets")


def read(book):
    wb = openpyxl.load_workbook(book, read_only=True)
    rows = cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            rows += 1
            cells += sum(1 for v in row if v is not None)
    print(rows, "rows", cells, "cells")


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](*sys.argv[2:])
