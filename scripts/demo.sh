#!/usr/bin/env bash
# The main job on the shipped samples: validate each workbook, print the findings,
# write a report workbook per sample to out/, then reconcile the sample budget
# against the sample ledger and write the reconciliation workbook to out/.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
mkdir -p out
status=0
for book in workbooks/budget-*.xlsx; do
  echo
  .venv/bin/vpexcel validate "$book"
  .venv/bin/vpexcel validate "$book" --format xlsx --output out/
  rc=$?
  # exit 1 means "the budget has errors" (the mistakes sample is meant to); 2 or more is a failure
  [ "$rc" -ge 2 ] && status=$rc
done
echo
# reconcile the sample budget against the sample ledger (January-April 2024)
.venv/bin/vpexcel reconcile workbooks/budget-2024.xlsx workbooks/huvudbok-2024.csv --period 2024-04
.venv/bin/vpexcel reconcile workbooks/budget-2024.xlsx workbooks/huvudbok-2024.csv --period 2024-04 --format xlsx --output out/
rc=$?
[ "$rc" -ge 2 ] && status=$rc
echo
# fill the five follow-up templates (February, April, August, October, December)
for spec in manadsrapport-februari:2024-02 tertialrapport-april:2024-04 delarsrapport-augusti:2024-08 \
            manadsrapport-oktober:2024-10 arsredovisning-december:2024-12; do
  name=${spec%%:*}; period=${spec##*:}
  .venv/bin/vpexcel fill "workbooks/templates/$name.xlsx" --period "$period" \
    --budget workbooks/budget-2024.xlsx --ledger workbooks/huvudbok-2024.csv \
    --forecast workbooks/prognos-2024.xlsx --indicators workbooks/kolada-1441.json --output out/
  rc=$?
  [ "$rc" -ne 0 ] && status=$rc
done
echo
echo "Rapporterna finns i out/."
exit $status
