#!/bin/bash
# The tcp origin against real peers on loopback: nc (netcat-openbsd)
# and logger, started and stopped here, each case bounded in time.
# sdc-ingest listens on port 0 and says where in --port-file.  Prints
# TAP.  Environment: top_srcdir, top_builddir.
set -u
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-tcp.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2> /dev/null; rm -rf "$tmp"' EXIT
cases=13
if ! command -v nc > /dev/null || ! command -v logger > /dev/null; then
	echo "1..0 # SKIP no nc or logger (scripts/bootstrap installs them)"
	exit 0
fi
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
# serve OUT ARGS...: sdc-ingest tcp in the background, its port in $port.
serve() {
	local out=$1 i
	shift
	rm -f "$tmp/port" "$tmp/m.json"
	sdc-ingest tcp --listen 127.0.0.1:0 --port-file "$tmp/port" \
	    --metrics "$tmp/m.json" --metrics-interval 0.1 "$@" \
	    > "$out" 2> "$tmp/err" &
	pid=$!
	for i in $(seq 100); do
		[ -s "$tmp/port" ] && break
		sleep 0.1
	done
	port=$(sed -n '1s/.*://p' "$tmp/port")
}
# until METRIC >= N in the metrics file (20 s at most)
wait_for() {
	local i
	for i in $(seq 200); do
		[ -s "$tmp/m.json" ] &&
		    [ "$(jq ".$1" "$tmp/m.json")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
finish() {
	kill -TERM $pid
	wait $pid
	status=$?
	pid=
}
typed() {
	sdc-convert --to json --typed < "$1"
}
echo "1..$cases"

serve "$tmp/lines" --format json
printf '{"a":1}\n{"a":2}\nnot json\n' | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 3
finish
check "lines from nc: records and an error record, exit 0 on SIGTERM" \
    "$status $(typed "$tmp/lines" | jq -r '[.kind, .attributes.remoteAddress, .attributes.offset, (.value.LIST_MAP.a.LONG // .value.BYTE_ARRAY)] | join(",")' | tr '\n' ' ')" \
    "0 data,127.0.0.1,0,1 data,127.0.0.1,8,2 error,127.0.0.1,16,bm90IGpzb24= "

serve "$tmp/syslog" --framing auto --format log --log-format syslog
timeout 10 logger --tcp --octet-count --server 127.0.0.1 --port "$port" \
    -t octet 'counted message'
printf '<13>Dec  1 10:00:00 host plain: not counted\n' |
    timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 2
finish
check "auto framing: logger's octet counting and a plain line, per frame" \
    "$(sdc-convert --to json < "$tmp/syslog" | jq -r '"\(.appName)=\(.message)"' | tr '\n' ' ')" \
    "octet=counted message plain=not counted "

serve "$tmp/counted" --framing octet-count
printf '9 two\nlines3 end' | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 2
finish
check "an octet-counted frame keeps the newlines inside it" \
    "$(typed "$tmp/counted" | jq -r '.value.BYTE_ARRAY | @base64d' | tr '\n' '|')" \
    "two|lines|end|"

serve "$tmp/big" --format text --max-message-size 10
printf 'short\n0123456789abcdef\nafter\n' | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 2
finish
check "a line longer than --max-message-size is refused, the next one taken" \
    "$(typed "$tmp/big" | jq -r '[.kind, .error.code // "-", (.value.MAP.text.STRING // .value.BYTE_ARRAY)] | join(",")' | tr '\n' ' ')" \
    "data,-,short error,INGEST_TOO_LARGE,MDEyMzQ1Njc4OQ== data,-,after "

serve "$tmp/bad" --framing octet-count --format text
printf '5 hello12x garbage' | timeout 10 nc -N 127.0.0.1 "$port"
printf '20 cut short' | timeout 10 nc -N 127.0.0.1 "$port"
wait_for refused 2
finish
check "garbage in an octet count and a peer gone mid-frame are error records" \
    "$(typed "$tmp/bad" | jq -r '[.kind, (.error.message // .value.MAP.text.STRING | sub(".*@[0-9]+: "; ""))] | join(",")' | tr '\n' ' ')" \
    "data,hello error,octet count is not a number error,the stream ends inside a counted frame "

serve "$tmp/many" --format text
for c in $(seq 20); do
	seq -f "c$c-%g" 500 | timeout 20 nc -N 127.0.0.1 "$port" &
done
wait_for messages 10000
wait_for connections 20
finish
check "20 concurrent connections, every line of each" \
    "$(sdc-convert --to json < "$tmp/many" | jq -r .text | sort -u | wc -l) $(jq .connections "$tmp/m.json")" \
    "10000 20"

serve "$tmp/length" --framing length-prefix --format text
printf '\0\0\0\5hello\0\0\0\0\0\0\0\3abc' | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 3
finish
check "length-prefixed messages, an empty one among them" \
    "$(typed "$tmp/length" | jq -c '[.kind, .value.MAP.text.STRING]' | tr '\n' ' ')" \
    '["data","hello"] ["data","abc"] '

serve "$tmp/batches" --format text --batch-ms 200
{ echo a; sleep 0.7; echo b; } | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 2
sleep 0.4
finish
check "--batch-ms: a batch frame after the records of each interval" \
    "$(typed "$tmp/batches" | jq -r .kind | tr '\n' ' ')" \
    "data batch data batch "

# 10,000 idle connections held open beside one that talks, and one that
# is cut off by the stop in the middle of a line (1,000 where the hard
# limit of open files is below what 10,000 take, on both sides).
idle=10000
ulimit -n 20100 2> /dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 10100 ] || idle=1000
serve "$tmp/idle" --format text
python3 - "$port" "$idle" > "$tmp/idle.log" 2>&1 <<'PY' &
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
half = socket.create_connection(("127.0.0.1", port))
half.sendall(b"complete\nhalf a li")
print("open", flush=True)
time.sleep(30)
PY
holder=$!
until grep -q open "$tmp/idle.log" 2> /dev/null; do sleep 0.1; done
seq 1000 | timeout 10 nc -N 127.0.0.1 "$port"
wait_for messages 1001
wait_for connections $((idle + 2))
finish
kill $holder 2> /dev/null
wait $holder 2> /dev/null
check "$idle idle connections do not stop another: every line, status 0" \
    "$status $(jq .connections "$tmp/m.json") $(typed "$tmp/idle" | jq -r 'select(.kind == "data") | .value.MAP.text.STRING' | grep -c '^[0-9]*$')" \
    "0 $((idle + 2)) 1000"
check "a line cut off by the stop is an error record with its bytes" \
    "$(typed "$tmp/idle" | jq -r 'select(.kind == "error") | [.error.code, (.value.BYTE_ARRAY | @base64d)] | join(",")')" \
    "INGEST_CUT,half a li"

# A slow reader: sdc-ingest stops reading while its output is full, so TCP
# slows nc down; every line arrives.
rm -f "$tmp/port" "$tmp/m.json"
{ sdc-ingest tcp --listen 127.0.0.1:0 --port-file "$tmp/port" \
    --format text --max-buffer 256K --metrics "$tmp/m.json" \
    --metrics-interval 0.1 2> "$tmp/err" & echo $! > "$tmp/bp.pid"
    wait $!; echo "ingest $?" > "$tmp/bp.status"; } |
    { sleep 3; sdc-convert --to json | jq -r .text > "$tmp/bp.lines"; } &
bp=$!
for i in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(sed -n '1s/.*://p' "$tmp/port")
seq 200000 | timeout 60 nc -N 127.0.0.1 "$port"
wait_for messages 200000
kill -TERM "$(cat "$tmp/bp.pid")"
wait $bp
check "backpressure: 200,000 lines through a reader that sleeps 3 s, none lost" \
    "$(cat "$tmp/bp.status") $(wc -l < "$tmp/bp.lines") $(sort -n "$tmp/bp.lines" | uniq | wc -l) $(tail -1 "$tmp/bp.lines")" \
    "ingest 0 200000 200000 200000"

serve "$tmp/dry" --dry-run
wait $pid
status=$?
pid=
check "--dry-run binds, says where, moves nothing and exits 0" \
    "$status $(grep -c '^127.0.0.1:[0-9]' "$tmp/port") $(wc -c < "$tmp/dry")" "0 1 0"

rm -f "$tmp/port"
sdc-ingest tcp --listen 127.0.0.1:0 --port-file "$tmp/port" -n > /dev/null
taken=$(sed -n '1p' "$tmp/port")
sdc-ingest tcp --listen "$taken" > /dev/null 2> "$tmp/err" &
pid=$!
sleep 0.2
sdc-ingest tcp --listen "$taken" --listen "$taken" > /dev/null 2> "$tmp/err2"
check "an address in use is status 3, with the address" \
    "$? $(sed "s/$taken/ADDR/" "$tmp/err2")" "3 sdc-ingest: ADDR: Address already in use"
kill -TERM $pid; wait $pid; pid=
exit $failed
