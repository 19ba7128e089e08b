#!/bin/bash
# The state file survives kill -9.  A first run leaves a state of many
# devices; then sdc-locate, saving that state at every sweep (each 5 s of
# event time) while it reads, is killed at a random moment, again and
# again, in the middle of a save or soon after one began.  After each kill the state file
# is a whole record stream of at least those devices, which the next run
# takes.  Prints TAP.  Environment: top_srcdir, top_builddir.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
data=$srcdir/tests/cli/data/locate
devices=60000
rounds=10
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-crash.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
args=(-s "$data/room.json" -k "$data/test.key" --state "$tmp/state"
    --emit devices)
count() {
	sdc-convert --to json "$tmp/state" 2> "$tmp/err" | wc -l
}

# Each device seen once by two sensors, a device every 10 ms.
awk -v n="$devices" 'BEGIN {
	print "ts,sensor_id,device_id,rssi,radio"
	for (d = 0; d < n; d++) {
		printf "%.0f,a,00:bb:%02x:%02x:%02x:00,%d,wifi\n",
		    1772445600000 + d * 10, int(d / 65536), int(d / 256) % 256,
		    d % 256, -50 - d % 30
		printf "%.0f,e,00:bb:%02x:%02x:%02x:00,%d,wifi\n",
		    1772445600001 + d * 10, int(d / 65536), int(d / 256) % 256,
		    d % 256, -60 + d % 20
	}
}' > "$tmp/s.csv"
sdc-convert --from csv --infer-types "$tmp/s.csv" > "$tmp/s.sdc" || exit 1

echo "1..$((rounds + 1))"
failed=0
if sdc-locate "${args[@]}" --state-interval 1h "$tmp/s.sdc" > /dev/null 2> "$tmp/err" &&
    [ "$(count)" -eq "$devices" ]; then
	echo "ok 1 - a whole run keeps all $devices devices"
else
	echo "not ok 1 - a whole run keeps all $devices devices"
	sed 's/^/# /' "$tmp/err"
	failed=1
fi
midway=0	# kills that left a half-written state.tmp
for ((r = 2; r <= rounds + 1; r++)); do
	sdc-locate "${args[@]}" --state-interval 1ms "$tmp/s.sdc" \
	    > /dev/null 2>&1 &
	pid=$!
	# Once a save has begun (its file aside exists), any moment soon.
	for ((w = 0; w < 1000; w++)); do
		[ -e "$tmp/state.tmp" ] && break
		sleep 0.01
	done
	sleep "0.0$((RANDOM % 10))"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	[ -e "$tmp/state.tmp" ] && midway=$((midway + 1))
	n=$(count)
	if [ "$n" -eq "$devices" ] && sdc-locate "${args[@]}" < /dev/null \
	    > /dev/null 2>> "$tmp/err"; then
		echo "ok $r - killed, the state is whole: $n devices"
	else
		echo "not ok $r - killed, the state is not whole ($n devices)"
		sed 's/^/# /' "$tmp/err"
		failed=1
	fi
done
echo "# $midway of $rounds kills came in the middle of a save"
exit $failed
