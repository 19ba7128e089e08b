#!/bin/bash
# The retail pipeline's daily report as a person sees it.  The sample
# mall's sightings go through sdc-convert, sdc-locate (with a state file
# that already knows some of the devices, so that some shoppers return)
# and sdc-sink file, which rolls them into JSON-lines files; a small
# promotions log is made from the returning shoppers' visits.  The real
# spark-submit (local[1]) runs sample/retail/report.py once per file, as
# sdc-sparkjob would, then once with a file repeated and a broken one:
# nothing is counted twice and the broken file is named.  Headless
# Chromium renders report/index.html; tests/pipeline/check-report.py
# reads the DOM and the screenshot and compares every number of the page
# with what it computes itself from the sink's files.  The screenshot is
# kept as $top_builddir/report-screenshot.png.  Skipped without Chromium.
# TAP on stdout.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir/build}
builddir=$(cd "$builddir" && pwd)
python=${SDC_SPARK_PYTHON:-${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/venv/bin/python}
chromium=${CHROMIUM:-/usr/bin/chromium}
export PATH=$builddir:$PATH

if [ ! -x "$chromium" ]; then
	echo "1..0 # SKIP no Chromium at '$chromium' (scripts/bootstrap installs it)"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-report.XXXXXX")
# shellcheck source=tests/lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

if ! spark_home=$("$python" -c 'import os, pyspark
print(os.path.dirname(pyspark.__file__))' 2> /dev/null); then
	not_ok "no PySpark in '$python' (scripts/bootstrap installs it)"
	exit 1
fi
site=$srcdir/sample/mall.json
key=$srcdir/sample/mall.key
report() {	# report LOG ARGS...: report.py under spark-submit, bounded
	local log=$1
	shift
	SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON=$python \
	    timeout 300 "$spark_home/bin/spark-submit" --master 'local[1]' \
	    --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 \
	    "$srcdir/sample/retail/report.py" --site "$site" \
	    --state state --out report "$@" > "$log" 2>&1
}
cd "$tmp" || exit 1

# Three devices seen on an earlier day, so that they come back as
# returning shoppers; the others are new.
grep -E '^(ts|[^,]*,[^,]*,(3c:c7:b0:0b:60:2e|e4:87:2a:ea:22:03|04:23:bb:66:60:0e),)' \
    "$srcdir/sample/mall-sightings.csv" > earlier.csv
timeout 120 sdc-convert --from csv --infer-types earlier.csv |
    timeout 120 sdc-locate --site "$site" --key-file "$key" \
    --state locate.state > /dev/null 2> earlier.err
check "sdc-locate remembered the earlier day's devices" test -s locate.state \
    -- earlier.err
timeout 120 sdc-convert --from csv --infer-types "$srcdir/sample/mall-sightings.csv" |
    timeout 120 sdc-locate --site "$site" --key-file "$key" \
    --state locate.state |
    timeout 120 sdc-sink file --format json --directory sink \
    --max-records 500 --name 'part-${seq}.json' > events.sdc 2> sink.err
sdc-convert --to json < events.sdc |
    jq -r 'select(."@event".type == "file-closed") | ."@event".record.filepath' \
    > files.txt 2> events.err
mapfile -t files < files.txt
check "sdc-sink closed two files or more" test "${#files[@]}" -ge 2 \
    -- sink.err events.err

# The promotions the backend logged: one per returning shopper's visit,
# one with its time in milliseconds, one given twice, and a last line
# still being written (no newline), which waits for the next run.
cat "${files[@]}" | jq -c 'select(.kind == "visit" and .returning) |
    {ts: .end, device, zone, zone_name, offer: "10% off"}' > promotions.log
head -1 promotions.log >> promotions.log
jq -c '{ts: 1772445900000, device, zone, offer: "coffee"}' \
    < <(head -1 promotions.log) >> promotions.log
printf '{"ts": "2026-03-02T23:59:00Z", "device": "partial", "zo' >> promotions.log
check "the promotions log has promotions" \
    test "$(grep -c offer promotions.log)" -ge 3 -- promotions.log

# One run per file, as sdc-sparkjob launches them.
i=0
for f in "${files[@]}"; do
	i=$((i + 1))
	report "run$i.log" --promotions promotions.log "$f"
	check "report.py merged ${f##*/} (exit 0)" test $? = 0 -- "run$i.log"
done
check "one state file for the day, whole JSON" \
    jq -e '.day == "2026-03-02"' state/2026-03-02.json
check "no temp file left in the state folder or the report" \
    test -z "$(find state report -name '*.tmp')"
check "report/index.html written" test -s report/index.html
cp report/index.html before.html
cp state/2026-03-02.json before.json

# Again: the first file twice more, and a file that is not JSON lines.
printf '{"kind":"zone"}\nnot json\n' > broken.json
report again.log --promotions promotions.log "${files[0]}" broken.json "${files[0]}"
status=$?
check "a broken input: exit status 1" test $status = 1 -- again.log
check "the broken input named with its line" \
    grep -q 'report.py: broken.json:2: not a JSON object' again.log -- again.log
check "a file given again is not merged again: the state is the same" \
    cmp before.json state/2026-03-02.json -- again.log
check "and so is the page" cmp before.html report/index.html

# The page as Chromium shows it.
browse() {	# browse OUTPUT-OPTION...: headless Chromium on the report
	rm -rf profile && mkdir profile &&
	    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --force-color-profile=srgb \
	    --hide-scrollbars --user-data-dir="$tmp/profile" \
	    --window-size=1400,1800 "$@" "file://$tmp/report/index.html"
}
browse --dump-dom > dom.html 2> dom.err
check "Chromium rendered the DOM" grep -q '</html>' dom.html -- dom.err
browse --screenshot="$tmp/screenshot.png" > shot.out 2>&1
check "Chromium took a screenshot" test -s screenshot.png -- shot.out
if [ -s screenshot.png ]; then
	cp screenshot.png "$builddir/report-screenshot.png"
fi
timeout 120 python3 "$srcdir/tests/pipeline/check-report.py" --site "$site" \
    --promotions promotions.log --dom dom.html --png screenshot.png \
    --state state/2026-03-02.json "${files[@]}" > checks.tap 2> checks.err
while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	*) echo "# $line" ;;
	esac
done < checks.tap
check "the page checker ran to its end" grep -q '^ok .*all checked' checks.tap \
    -- checks.err
