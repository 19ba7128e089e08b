#!/bin/bash
# The file origin's --watch against real writers: lines appended, a new
# file, a rotation by rename, a truncation, a stop by SIGTERM and a
# restart that resumes from the state file.  Prints TAP.
# Environment: top_srcdir, top_builddir.
set -u
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-watch.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2> /dev/null; rm -rf "$tmp"' EXIT
n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		failed=1
		echo "not ok $n - $1"
		printf '# want: %s\n# got:  %s\n' "$3" "$2"
	fi
}
# wait_out N: until the metrics say N records are out (10 s at most).
wait_out() {
	local i
	for i in $(seq 100); do
		[ -s "$tmp/m.json" ] &&
		    [ "$(jq .records_out "$tmp/m.json")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
start() {
	rm -f "$tmp/m.json"
	sdc-ingest --format text --watch "$tmp/d" --pattern '*.log' \
	    --state "$tmp/state" --metrics "$tmp/m.json" \
	    --metrics-interval 0.1 "$@" > "$tmp/out.$runs" 2> "$tmp/err" &
	pid=$!
	runs=$((runs + 1))
}
stop() {
	kill -TERM $pid
	wait $pid
	status="status $?"
	pid=
}
lines() {
	sdc-convert --to json --typed < "$tmp/out.$1" |
	    jq -r '"\(.attributes.file | sub(".*/"; "")):\(.attributes.offset) \(.value.MAP.text.STRING)"'
}
echo "1..6"
runs=0
mkdir "$tmp/d"
printf 'a1\na2\n' > "$tmp/d/a.log"
echo 'not followed' > "$tmp/d/other.txt"
start --from-start
wait_out 2
printf 'a3\n' >> "$tmp/d/a.log"
printf 'b1\nb2' > "$tmp/d/b.log"
wait_out 4
printf ' end\n' >> "$tmp/d/b.log"
printf 'a4' >> "$tmp/d/a.log"
mv "$tmp/d/a.log" "$tmp/d/a.log.1"
printf 'new1\n' > "$tmp/d/a.log"
wait_out 7
: > "$tmp/d/b.log"
sleep 0.3
printf 'again\n' >> "$tmp/d/b.log"
wait_out 8
stop
check "a SIGTERM ends the watch with status 0" "$status" "status 0"
check "appended lines, a new file, a rotated file's last line, a truncation" \
    "$(lines 0 | sort | tr '\n' ' ')" \
    "a.log:0 a1 a.log:0 new1 a.log:3 a2 a.log:6 a3 a.log:9 a4 b.log:0 again b.log:0 b1 b.log:3 b2 end "
check "the truncation is reported" \
    "$(grep -c 'b.log: truncated' "$tmp/err")" 1
printf 'down\n' >> "$tmp/d/a.log"
start
wait_out 1
printf 'up\n' >> "$tmp/d/b.log"
wait_out 2
stop
check "a restart resumes at the saved offsets" "$status" "status 0"
check "only what was appended meanwhile and since" \
    "$(lines 1 | tr '\n' ' ')" "a.log:5 down b.log:6 up "
seq 3000000 > "$tmp/big.txt"
sdc-ingest --format text "$tmp/big.txt" > "$tmp/big.sdc" 2> "$tmp/err" &
pid=$!
until [ "$(stat -c %s "$tmp/big.sdc")" -gt 1000000 ]; do sleep 0.05; done
kill -TERM $pid
wait $pid
status=$?
pid=
got=$(sdc-convert --to json < "$tmp/big.sdc" 2>&1 | grep -c -v '^{"text":"[0-9]*"}$')
check "a stop in the middle of a whole file: status 143, the stream ends whole" \
    "$status $got" "143 0"
exit $failed
