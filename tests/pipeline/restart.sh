#!/bin/bash
# The retail pipeline (scripts/demo, a short mall day) interrupted by
# SIGINT at random moments and started again until it ends: every
# sighting the simulator had acknowledged (MQTT QoS 1 PUBACK, HTTP 200)
# reaches sdc-locate exactly once over the runs, each run's counts
# balance (scripts/demo's summary), the state files parse, no file is
# left half-written, and the report's record counts equal the sink's
# files.  The moments are random; the seed is printed (SDC_RESTART_SEED
# sets it).  Each run is bounded by a timeout.  Prints TAP.
# Environment: top_srcdir, top_builddir, SDC_SPARK_PYTHON.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH:/usr/sbin
if ! command -v mosquitto > /dev/null 2>&1 ||
    [ ! -f "$srcdir/sample/retail/report.py" ]; then
	echo "1..0 # SKIP no mosquitto or no sample/retail/report.py"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-restart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
seed=${SDC_RESTART_SEED:-$RANDOM}
RANDOM=$seed
echo "# seed $seed"
n=0 failed=0
check() {	# check WHAT CONDITION-STATUS
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
	fi
}

demo=("$srcdir/scripts/demo" --dir "$tmp/d" --no-build --shoppers 3
    --days 2 --duration 60 --speed 150 --seed 5)
export SDC_BUILD_DIR=$builddir
summaries_ok=0
for cut in 1 2 3; do
	at=$((6 + RANDOM % 30))	# the simulator publishes for some 50 s
	"${demo[@]}" > "$tmp/run$cut.out" 2>&1 &
	pid=$!
	for ((w = 0; w < at * 10; w++)); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -INT "$pid" 2> /dev/null
	echo "# run $cut interrupted after ${at}s"
	timeout 600 tail --pid="$pid" -f /dev/null
	wait "$pid" || summaries_ok=1
done
timeout 900 "${demo[@]}" > "$tmp/final.out" 2>&1 || summaries_ok=1
check "every run's counts balance (scripts/demo's summary)" $summaries_ok
[ $summaries_ok = 0 ] || tail -20 "$tmp"/*.out | sed 's/^/# /'

d=$tmp/d
jq -e '.next == .total and .mqtt + .http == .total' "$d/sim.json" \
    > /dev/null
check "the simulator published every sighting, each acknowledged" $?
published=$(jq '.mqtt + .http' "$d/sim.json")
sum() {	# sum STAGE FIELD: over every run's metrics
	cat "$d"/runs/*/"$1".json | jq -s "map(.$2) | add // 0"
}
payloads=$(cat "$d"/runs/*/ingest.json | jq -s '[.[].origins[] |
    select(.name == "mqtt") | .messages] | add // 0')
taken=$(sum convert records_out)
located=$(sum locate records_in)
echo "# published $published, MQTT messages $payloads, parsed $taken, located $located"
[ "$payloads" = "$(jq .mqtt "$d/sim.json")" ] &&
    [ "$(sum ingest errors)" = 0 ] && [ "$(sum convert errors)" = 0 ]
check "sdc-ingest took each acknowledged MQTT message once over the runs" $?
[ "$taken" = "$published" ]
check "each acknowledged sighting was parsed once" $?
[ "$located" = "$published" ]
check "sdc-locate read each of them once" $?

ok=0
sdc-convert --to json "$d/state/locate.state" > /dev/null || ok=1
for f in "$d"/report/state/*.json "$d/sim.json"; do
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$f" || ok=1
done
python3 -c 'import json, sys
for line in open(sys.argv[1]):
    json.loads(line)' "$d/promotions.log" || ok=1
check "the state files and the promotions log parse" $ok

[ -z "$(find "$d/files" -name '.*.tmp')" ]
check "no file left half-written" $?

# The report's records per kind, over its days, against the files'.
python3 - "$d" <<'PY'
import glob, json, os, sys
from collections import Counter
d = sys.argv[1]
files = Counter()
for path in glob.glob(os.path.join(d, "files", "*", "*", "*.json")):
    for line in open(path):
        files[json.loads(line).get("kind")] += 1
report = Counter()
for path in glob.glob(os.path.join(d, "report", "state", "*.json")):
    report.update(json.load(open(path))["records"])
kinds = ("position", "zone", "visit", "traffic", "device")
got = {k: report.get(k, 0) for k in kinds}
want = {k: files.get(k, 0) for k in kinds}
print("# report %s" % got)
print("# files  %s" % want)
sys.exit(got != want)
PY
check "the report's totals equal the sink's files" $?

echo "1..$n"
[ $failed = 0 ]
