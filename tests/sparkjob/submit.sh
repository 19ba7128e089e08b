#!/bin/bash
# sdc-sparkjob spark-submit against real Spark in local mode: the
# spark-submit of the project's PySpark runs tests/sparkjob/data/count.py
# for each file that a real sdc-sink file run closes.  Each Spark run
# starts a JVM (10 to 30 s), so the cases share few runs:
#   1. two files in a directory whose name is hostile (a leading dash,
#      spaces, quotes, a newline, $(touch ...)): each is counted, its
#      name reaches the application whole, and nothing else runs;
#   2. an application that fails: the error record carries the event and
#      the exit status, and sdc-sparkjob exits 5;
#   3. --timeout, and 4. a stop signal: spark-submit's whole process
#      group is killed.
# Without PySpark it is skipped, except in CI.  TAP on stdout.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir/build}
builddir=$(cd "$builddir" && pwd)
python=${SDC_SPARK_PYTHON:-${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/venv/bin/python}
export PATH=$builddir:$PATH

if ! spark_home=$("$python" -c 'import os, pyspark
print(os.path.dirname(pyspark.__file__))' 2> /dev/null); then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - no PySpark in '$python' (scripts/bootstrap installs it)"
		exit 1
	fi
	echo "1..0 # SKIP no PySpark in '$python'"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-sparkjob.XXXXXX")
# shellcheck source=tests/lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

app=$srcdir/tests/sparkjob/data/count.py
launcher=(spark-submit --master 'local[1]' --spark-home "$spark_home"
    --env "PYSPARK_PYTHON=$python" --conf spark.ui.enabled=false)
cd "$tmp" || exit 1
mkdir out
# 200 records, closed as files of 150 and 50.
sdc-convert --from csv "$srcdir/sample/sightings.csv" > in.sdc
hostile=$'-a b \'c" d\n$$(touch MARK)'
sdc-sink file -F json --directory="$hostile" --max-records 150 \
    --name '${seq}.json' < in.sdc > events.sdc 2> sink.err
check "sdc-sink file closed two files" \
    test "$(sdc-convert --to json < events.sdc | grep -c file-closed)" = 2 \
    -- sink.err

# 1. Two launches, at most two at once.
timeout 300 sdc-sparkjob "${launcher[@]}" --max-running 2 --name 'count-${/filename}' \
    "$app" '${/filepath}' 'out/${/filename}' < events.sdc > run1.sdc 2> run1.err
status=$?
check "the applications ran and sdc-sparkjob exited 0" test $status = 0 -- run1.err
sdc-convert --to json < run1.sdc > run1.json 2>&1
check "every event passed through" \
    test "$(grep -c '"type":"file-closed"' run1.json)" = 2 -- run1.json
check "two app-submitted events, named local-PID, each after its event" \
    test "$(grep '"app-submitted"' run1.json | grep -c '"local-[0-9]*"')" = 2 \
    -- run1.json
check "two app-finished events, state FINISHED" \
    test "$(grep '"app-finished"' run1.json | grep -c FINISHED)" = 2 -- run1.json
check "the applications counted 150 and 50 records" \
    test "$(cat out/0.json out/1.json 2> /dev/null | jq -s -c 'map(.count) | sort')" = '[50,150]' -- run1.err
expected=$(sdc-convert --to json < events.sdc | jq -r -s -c \
    '[.[]."@event".record.filepath] | sort')
got=$(cat out/0.json out/1.json 2> /dev/null | jq -s -c 'map(.input) | sort')
check "the hostile file names reached the application whole" \
    test "$got" = "$expected" -- run1.err
check "nothing else ran (no MARK made by \$(touch MARK))" \
    test ! -e MARK -a ! -e "$hostile/MARK" -a ! -e out/MARK

# 2. A failing application: its input does not exist (the second file's).
timeout 300 sdc-sparkjob -v "${launcher[@]}" --max-running 2 \
    --when '/records==50' "$app" '${/filepath}.missing' out/fail \
    < events.sdc > run2.sdc 2> run2.err
status=$?
check "a failing application: exit status 5" test $status = 5 -- run2.err
sdc-convert --to json < run2.sdc > run2.json 2>&1
check "one error record, carrying the event and the exit status" \
    grep -q '"exit status 1: .*FileNotFoundError' run2.json -- run2.json
check "the error record carries the event's file name" \
    jq -e -s 'map(select(has("@error")))|length == 1 and (.[0]|tostring|contains("1.json"))' run2.json -- run2.json
check "an app-finished event with state FAILED" \
    grep -q '"app-finished".*"FAILED"' run2.json -- run2.json
check "-v: the command line, then spark-submit's lines" \
    grep -q '^sdc-sparkjob: launch 1: spark-submit: .*FileNotFoundError' run2.err \
    -- run2.err
check "-v: the command line, shell-quoted" \
    grep -q "^sdc-sparkjob: launch 1: running .*/spark-submit '--master=local\\[1\\]'" \
    run2.err -- run2.err

# 3. --timeout: spark-submit and what it started are killed.
timeout 120 sdc-sparkjob "${launcher[@]}" --timeout 4 --when '/records==50' \
    --name "timeout-case-$$" "$app" '${/filepath}' out/late \
    < events.sdc > run3.sdc 2> run3.err
status=$?
check "a launch past --timeout: exit status 5" test $status = 5 -- run3.err
sdc-convert --to json < run3.sdc > run3.json 2>&1
check "its error record says it timed out" \
    grep -q 'SPARKJOB_TIMEOUT.*timed out after 4 s' run3.json -- run3.json
sleep 1
check "no process of the launch is left" \
    bash -c "! pgrep -f '[t]imeout-case-$$'" -- run3.err

# 4. SIGTERM while an application runs: the same.
timeout 120 sdc-sparkjob "${launcher[@]}" --when '/records==50' \
    --name "stop-case-$$" "$app" '${/filepath}' out/stopped \
    < events.sdc > run4.sdc 2> run4.err &
pid=$!
for _ in $(seq 100); do
	pgrep -f "[S]parkSubmit.*stop-case-$$" > /dev/null && break
	sleep 0.2
done
# To sdc-sparkjob itself: timeout(1) would send it twice (to its child,
# then to its process group), and a second stop stops at once.
kill -TERM "$(pgrep -P $pid)"
wait $pid
status=$?
sdc-convert --to json < run4.sdc > run4.json 2>&1
check "a stop signal: the launch's error record says it was stopped" \
    grep -q 'SPARKJOB_STOPPED.*stopped by a signal' run4.json -- run4.json run4.err
check "a stop signal: sdc-sparkjob exits non-zero ($status)" test $status != 0
sleep 1
check "a stop signal: no process of the launch is left" \
    bash -c "! pgrep -f '[s]top-case-$$'" -- run4.err
