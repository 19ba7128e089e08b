#!/bin/bash
# The file destination of sdc-sink against the real file system: rolling
# by each rule, the events field by field (check-files.py), each codec
# read back by its own tool, hostile values in the directory template,
# late records, --check, SIGTERM and SIGKILL mid-run, and a full disk
# (a 256 KiB tmpfs).  Each run is bounded in time.  Prints TAP.
# Environment: top_srcdir, top_builddir.
set -u
builddir=$(cd "${top_builddir:-.}" && pwd)
srcdir=$(cd "${top_srcdir:-..}" && pwd)
PATH=$builddir:$PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-sink-file.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 $pid 2> /dev/null
	mountpoint -q "$tmp/full" 2> /dev/null && umount "$tmp/full"
	rm -rf "$tmp"
}
trap cleanup EXIT
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
skip() {
	n=$((n + 1))
	echo "ok $n # SKIP $1"
}
# lines N [ZONES]: N JSON lines with a zone (of ZONES), a number, a time.
lines() {
	local zones=${2:-1}
	awk -v n="$1" -v z="$zones" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"zone\":\"z%d\",\"n\":%d,\"t\":%.0f}\n", i % z, i,
	    1700000000000 + i * 1000 }'
}
records() {
	lines "$@" | sdc-convert --from json
}
# sink OUT ARGS...: sdc-sink file (json) on stdin, events as JSON in OUT.
sink() {
	local out=$1
	shift
	timeout 60 sdc-sink file --format json "$@" 2> "$tmp/err" |
	    sdc-convert --to json > "$out" 2> "$tmp/convert-err"
	status=${PIPESTATUS[0]}
}
verify() {
	python3 "$srcdir/tests/sink/check-files.py" "$@"
}
count_files() {
	find "$1" -type f ! -name '.*' | wc -l | tr -d ' '
}
count_temps() {
	find "$1" -type f -name '.*.tmp' | wc -l | tr -d ' '
}

# --- rolling by each rule
records 1000 > "$tmp/1000.sdc"
sink "$tmp/ev" --directory "$tmp/r" --max-records 100 < "$tmp/1000.sdc"
check "--max-records: exit 0" "$status" 0
check "--max-records: 10 files of 100, events match" \
    "$(verify "$tmp/r" < "$tmp/ev")" "files 10 records 1000 errors 0"
check "--max-records: every file holds 100" \
    "$(for f in "$tmp"/r/*; do wc -l < "$f"; done | sort -u | tr -d ' ')" 100
check "--max-records: no temp file left" "$(count_temps "$tmp/r")" 0

sink "$tmp/ev" --directory "$tmp/b" --max-bytes 4K < "$tmp/1000.sdc"
check "--max-bytes: events match" \
    "$(verify "$tmp/b" < "$tmp/ev" | sed 's/files [0-9]*/files/')" \
    "files records 1000 errors 0"
size=$(wc -c < "$tmp/1000.sdc")
over=$(for f in "$tmp"/b/*; do s=$(wc -c < "$f"); [ "$s" -ge 4096 ] &&
    [ "$s" -lt 4200 ] || echo "$f: $s"; done | grep -c . )
last=$(ls -t "$tmp"/b | head -1)
check "--max-bytes: each file closed at 4K, by less than a record past" \
    "$over" 1
check "--max-bytes: more than one file" "$(( $(count_files "$tmp/b") > 5 ))" 1

# --max-age: records every 0.2 s for 2.2 s, files at most 1 s old.
slow() {
	local i
	for i in $(seq "$1"); do
		lines 1 | sed "s/\"n\":1/\"n\":$i/" | sdc-convert --from json
		sleep "$2"
	done
}
slow 11 0.2 | sink "$tmp/ev" --directory "$tmp/a" --max-age 1
check "--max-age: all 11 records, events match" \
    "$(verify "$tmp/a" < "$tmp/ev" | sed 's/files [0-9]*/files/')" \
    "files records 11 errors 0"
check "--max-age: split in 2 to 4 files" \
    "$(c=$(count_files "$tmp/a"); [ "$c" -ge 2 ] && [ "$c" -le 4 ] &&
    echo yes || echo "$c")" yes

# --idle-timeout: a file is published while the input is still open.
mkfifo "$tmp/fifo"
timeout 30 sdc-sink file --format json --directory "$tmp/i" \
    --idle-timeout 0.3 < "$tmp/fifo" > "$tmp/ev.sdc" 2> /dev/null &
pid=$!
exec 3> "$tmp/fifo"
records 5 >&3
for i in $(seq 50); do
	[ "$(count_files "$tmp/i" 2> /dev/null)" = 1 ] && break
	sleep 0.1
done
check "--idle-timeout: published on a silent input" \
    "$(count_files "$tmp/i" 2> /dev/null)" 1
closed() {
	sdc-convert --to json < "$tmp/ev.sdc" 2> /dev/null | grep -c file-closed
}
for i in $(seq 50); do
	[ "$(closed)" = 1 ] && break
	sleep 0.1
done
check "--idle-timeout: its event is out before the input ends" "$(closed)" 1
records 3 >&3
exec 3>&-
wait $pid
pid=
check "--idle-timeout: then a second file at the end" \
    "$(count_files "$tmp/i")" 2

# the roll attribute: the record carrying it starts a new file.
{
	for i in 1 2 3 4 5 6 7; do
		a='{}'
		[ "$i" = 3 ] || [ "$i" = 6 ] && a='{"roll":"true"}'
		printf '{"kind":"data","id":"x:%d","stages":[],"attributes":%s,' \
		    "$i" "$a"
		printf '"value":{"LIST_MAP":{"n":{"LONG":%d}}}}\n' "$i"
	done
} | sdc-convert --from json --typed > "$tmp/roll.sdc"
sink "$tmp/ev" --directory "$tmp/ra" < "$tmp/roll.sdc"
check "roll attribute: files of 2, 3 and 2 records, in order" \
    "$(python3 -c 'import json, sys
for l in sys.stdin:
    e = json.loads(l)["@event"]["record"]
    print(e["records"], " ".join(str(json.loads(r)["n"]) for r in
        open(e["filepath"])))' < "$tmp/ev" | tr '\n' ';')" \
    "2 1 2;3 3 4 5;2 6 7;"
sink "$tmp/ev" --directory "$tmp/rb" --roll-attribute other \
    < "$tmp/roll.sdc"
check "--roll-attribute: another name, one file" \
    "$(verify "$tmp/rb" < "$tmp/ev")" "files 1 records 7 errors 0"

# --- templates: directories from the time and a field, names
sink "$tmp/ev" --time-field /t --directory "$tmp/t/%Y/%m/%d/\${/zone}" \
    --file-prefix 'part-${seq}-' --file-suffix .json < "$tmp/1000.sdc"
check "directory template: time and field" \
    "$(cd "$tmp/t" && find . -type d -name 'z*' | sort | tr '\n' ' ')" \
    "./2023/11/14/z0 "
check "directory template: events match" \
    "$(verify "$tmp/t" < "$tmp/ev")" "files 1 records 1000 errors 0"
check "name: prefix, UUID, suffix" \
    "$(ls "$tmp"/t/2023/11/14/z0 | grep -cE '^part-0-[0-9a-f-]{36}\.json$')" 1
records 40 4 | sink "$tmp/ev" --directory "$tmp/z/\${/zone}" \
    --max-open-files 2
check "one file per directory, even past --max-open-files" \
    "$(verify "$tmp/z" < "$tmp/ev" | sed 's/files [0-9]*/files/')" \
    "files records 40 errors 0"
check "4 directories" "$(ls "$tmp/z" | tr '\n' ' ')" "z0 z1 z2 z3 "
records 6 | sink "$tmp/ev" --directory "$tmp/nm" --name fixed.json \
    --max-records 2
check "a fixed --name never overwrites: numbered beside" \
    "$(ls "$tmp/nm" | tr '\n' ' ')" "fixed.json fixed.json-1 fixed.json-2 "

# --- hostile values stay under the root
printf '%s\n' '{"zone":"../../etc"}' '{"zone":"a/b"}' '{"zone":".."}' \
    '{"zone":"."}' '{"zone":"x\u0000y"}' '{"zone":"/abs"}' '{"zone":""}' |
    sdc-convert --from json > "$tmp/hostile.sdc"
mkdir -p "$tmp/h/root"
sink "$tmp/ev" --directory "$tmp/h/root/\${/zone}" < "$tmp/hostile.sdc"
check "hostile values: all written, all under the root" \
    "$(verify "$tmp/h/root" < "$tmp/ev" | sed 's/files [0-9]*/files/')" \
    "files records 7 errors 0"
check "hostile values: nothing beside the root" "$(ls "$tmp/h")" root
check "hostile values: no directory escaped" \
    "$(find "$tmp" -maxdepth 2 -name etc -o -maxdepth 2 -name abs | wc -l)" 0

# --- compression, read back by each codec's own tool
for codec in gzip:gzip:.gz zstd:zstd:.zst lz4:lz4:.lz4 \
    snappy:"/usr/bin/python3 $srcdir/tests/sink/unsnappy.py":.sz; do
	name=${codec%%:*} rest=${codec#*:}
	tool=${rest%:*} ext=${rest##*:}
	[ "$name" = snappy ] || tool="$tool -dc"
	sink "$tmp/ev" --directory "$tmp/c-$name" --compression "$name" \
	    --max-records 400 < "$tmp/1000.sdc"
	check "--compression $name: read back by its tool, events match" \
	    "$(verify "$tmp/c-$name" "$tool" < "$tmp/ev")" \
	    "files 3 records 1000 errors 0"
	check "--compression $name: names end in $ext" \
	    "$(ls "$tmp/c-$name" | grep -c "$ext\$")" 3
done

# --- late records
{
	lines 3 | sed 's/"t":[0-9]*/"t":1700007200000/'
	echo '{"zone":"z0","n":9,"t":1700000000000}'
	echo '{"zone":"z0","n":10,"t":1700003600000}'
} | sdc-convert --from json > "$tmp/late.sdc"
sink "$tmp/ev" --time-field /t --directory "$tmp/l1" < "$tmp/late.sdc"
check "late: an error record by default" \
    "$(verify "$tmp/l1" < "$tmp/ev" | tr '\n' ';')" \
    "files 1 records 4 errors 1;error SINK_LATE_RECORD;"
check "late: the error names the rule" \
    "$(grep -c 'late-limit' "$tmp/ev")" 1
sink "$tmp/ev" --time-field /t --directory "$tmp/l2/on" \
    --late-directory "$tmp/l2/late" < "$tmp/late.sdc"
check "late: --late-directory takes it" \
    "$(verify "$tmp/l2" < "$tmp/ev"; cat "$tmp"/l2/late/*)" \
    "files 2 records 5 errors 0
{\"zone\":\"z0\",\"n\":9,\"t\":1700000000000}"
sink "$tmp/ev" --time-field /t --directory "$tmp/l3" --late-limit 3h \
    < "$tmp/late.sdc"
check "late: --late-limit 3h: none" "$(verify "$tmp/l3" < "$tmp/ev")" \
    "files 1 records 5 errors 0"
sink "$tmp/ev" --time-field /t --directory "$tmp/l4" --late-limit 0 \
    < "$tmp/late.sdc"
check "late: --late-limit 0: none" "$(verify "$tmp/l4" < "$tmp/ev")" \
    "files 1 records 5 errors 0"

# --- --check
sink "$tmp/ev" --check --directory "$tmp/ck/%Y/\${/zone}" < /dev/null
check "--check: ok, exit 0" "$status" 0
check "--check: says where" \
    "$(grep -c "would be made under $tmp" "$tmp/err")" 1
check "--check: writes nothing" "$(ls -A "$tmp" | grep -c '^ck$')" 0
touch "$tmp/plain"
sink "$tmp/ev" --check --directory "$tmp/plain/x" < /dev/null
check "--check: under a plain file, exit 3" "$status" 3
check "--check: says why" "$(grep -ci 'not a directory' "$tmp/err")" 1

# watchdog PID: SIGKILL it in 30 s if it is still there.
watchdog() {
	( sleep 30; kill -9 "$1" 2> /dev/null ) > /dev/null 2>&1 &
}

# --- a directory that cannot be made: each record an error record
records 3 > "$tmp/3.sdc"
sink "$tmp/ev" --directory "$tmp/plain/x" < "$tmp/3.sdc"
check "unmakeable directory: error records naming it" \
    "$(grep -c "\"SINK_FILE_OPEN\",\"message\":\"$tmp/plain/x: Not a directory\"" \
    "$tmp/ev")" 3
check "unmakeable directory: nothing undelivered, exit 0" "$status" 0

# --- SIGTERM mid-run: the open file is published whole at the stop.
records 1050 > "$tmp/1050.sdc"
rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
# (not under timeout(1), which would pass the signal on twice)
sdc-sink file --format json --directory "$tmp/s" \
    --max-records 100 < "$tmp/fifo" > "$tmp/ev.sdc" 2> "$tmp/err" &
pid=$!
watchdog $pid
exec 3> "$tmp/fifo"
cat "$tmp/1050.sdc" >&3
for i in $(seq 100); do
	[ "$(count_files "$tmp/s" 2> /dev/null)" = 10 ] &&
	    [ "$(count_temps "$tmp/s")" = 1 ] && break
	sleep 0.1
done
kill -TERM $pid
wait $pid
status=$?
pid=
exec 3>&-
check "SIGTERM: exit 0" "$status" 0
check "SIGTERM: every record in a whole, published file" \
    "$(sdc-convert --to json < "$tmp/ev.sdc" | verify "$tmp/s")" \
    "files 11 records 1050 errors 0"
check "SIGTERM: no temp file left" "$(count_temps "$tmp/s")" 0

# --- SIGKILL mid-run: whole published files, the rest a temp file.
# (not under timeout(1), which would pass the signal on twice)
sdc-sink file --format json --directory "$tmp/k" \
    --max-records 100 < "$tmp/fifo" > "$tmp/ev.sdc" 2> "$tmp/err" &
pid=$!
watchdog $pid
exec 3> "$tmp/fifo"
cat "$tmp/1050.sdc" >&3
for i in $(seq 100); do
	[ "$(count_files "$tmp/k" 2> /dev/null)" = 10 ] && break
	sleep 0.1
done
kill -KILL $pid
wait $pid 2> /dev/null
pid=
exec 3>&-
check "SIGKILL: 10 whole files of 100" \
    "$(for f in "$tmp"/k/sdc-*; do python3 -c 'import json, sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)))' "$f"; done |
    sort | uniq -c | tr -s ' ')" " 10 100"
check "SIGKILL: the open file left as a temp file" \
    "$(count_temps "$tmp/k")" 1

# --- a full disk: 256 KiB of tmpfs
mkdir "$tmp/full"
if ! mount -t tmpfs -o size=256k tmpfs "$tmp/full" 2> /dev/null; then
	for i in 1 2 3 4 5 6; do skip "ENOSPC: tmpfs cannot be mounted here"; done
else
	awk 'BEGIN { pad = sprintf("%900s", ""); gsub(/ /, "x", pad);
	    for (i = 1; i <= 600; i++)
	    printf "{\"n\":%d,\"pad\":\"%s\"}\n", i, pad }' |
	    sdc-convert --from json > "$tmp/big.sdc"
	sink "$tmp/ev" --directory "$tmp/full/d" --max-records 20 \
	    < "$tmp/big.sdc"
	check "ENOSPC: exit 3" "$status" 3
	check "ENOSPC: reported" \
	    "$(grep -c 'No space left on device' "$tmp/err" | sed 's/[1-9][0-9]*/yes/')" yes
	check "ENOSPC: undelivered counted and said" \
	    "$(grep -cE 'records were not delivered' "$tmp/err")" 1
	summary=$(verify "$tmp/full/d" < "$tmp/ev")
	check "ENOSPC: published files whole, their events match" \
	    "$(echo "$summary" | grep -c problem)" 0
	files=$(echo "$summary" | sed -n 's/^files \([0-9]*\).*/\1/p')
	errors=$(echo "$summary" | sed -n 's/.* errors \([0-9]*\)$/\1/p')
	undelivered=$(sed -n 's/.*: \([0-9]*\) of 600 records were not.*/\1/p' \
	    "$tmp/err")
	check "ENOSPC: some files published before" \
	    "$(( files >= 5 ))" 1
	check "ENOSPC: published + error records + undelivered = 600" \
	    "$(( files * 20 + errors + undelivered ))" 600
	umount "$tmp/full"
fi

echo "1..$n"
exit $failed
