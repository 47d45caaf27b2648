#!/usr/bin/env bash
# The main job on the shipped samples: validate each workbook, print the findings,
# write a report workbook per sample to out/, reconcile the sample budget against the
# sample ledger, fill the year's five follow-up templates, and compare two versions of
# the budget. The runs are kept in out/vpexcel-historik.sqlite (started afresh), so the
# August and December reports show the year's forecast development.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 2
mkdir -p out
rm -f out/vpexcel-historik.sqlite
H=(--historik out/)
status=0
for book in workbooks/budget-*.xlsx; do
  echo
  .venv/bin/vpexcel validate "$book" --ingen-historik
  .venv/bin/vpexcel validate "$book" --format xlsx --output out/ "${H[@]}"
  rc=$?
  # exit 1 means "the budget has errors" (the mistakes sample is meant to); 2 or more is a failure
  [ "$rc" -ge 2 ] && status=$rc
done
echo
# reconcile the sample budget against the sample ledger (January-April 2024)
.venv/bin/vpexcel reconcile workbooks/budget-2024.xlsx workbooks/huvudbok-2024.csv --period 2024-04 --ingen-historik
.venv/bin/vpexcel reconcile workbooks/budget-2024.xlsx workbooks/huvudbok-2024.csv --period 2024-04 --format xlsx --output out/ "${H[@]}"
rc=$?
[ "$rc" -ge 2 ] && status=$rc
echo
# fill the five follow-up templates (February, April, August, October, December)
for spec in manadsrapport-februari:2024-02 tertialrapport-april:2024-04 delarsrapport-augusti:2024-08 \
            manadsrapport-oktober:2024-10 arsredovisning-december:2024-12; do
  name=${spec%%:*}; period=${spec##*:}
  .venv/bin/vpexcel fill "workbooks/templates/$name.xlsx" --period "$period" \
    --budget workbooks/budget-2024.xlsx --ledger workbooks/huvudbok-2024.csv \
    --forecast workbooks/prognos-2024.xlsx --indicators workbooks/kolada-1441.json --output out/ "${H[@]}"
  rc=$?
  [ "$rc" -ne 0 ] && status=$rc
done
echo
# what changed between the clean budget and the version with mistakes, by meaning
.venv/bin/vpexcel jämför workbooks/budget-2024.xlsx workbooks/budget-2024-med-fel.xlsx --format xlsx --output out/
rc=$?
[ "$rc" -ge 2 ] && status=$rc
echo
.venv/bin/vpexcel historik --db out/
echo
echo "Rapporterna finns i out/."
exit $status
