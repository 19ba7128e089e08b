#!/bin/bash
# The MQTT client (lib/origin/mqtt-*.c, through tests/mqtt/mqtt-drive)
# against the real mosquitto broker on loopback, started and stopped
# here: every QoS in MQTT 3.1.1 and 5, wildcards, a persistent session
# taken up again by a new process, a broker restart mid-stream, a slow
# pipeline that stops reading past the keepalive, a message too large,
# a broker that stops answering; and garbage or a message cut short from
# a peer (nc).
# Each case checks that every message arrived, and once.  Without
# mosquitto the cases are skipped, except in CI (CI=true), where that
# fails.  Prints TAP.  Environment: top_builddir.
set -u
builddir=$(cd "${top_builddir:-.}" && pwd)
drive=$builddir/tests/mqtt/mqtt-drive

if ! command -v mosquitto > /dev/null 2>&1 &&
    [ -x /usr/sbin/mosquitto ]; then
	PATH=$PATH:/usr/sbin
fi
if ! command -v mosquitto > /dev/null 2>&1 ||
    ! command -v mosquitto_pub > /dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - no mosquitto (scripts/bootstrap installs it)"
		exit 1
	fi
	echo "1..0 # SKIP no mosquitto and mosquitto_pub"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-mqtt.XXXXXX")
broker=
stop_broker() {
	[ -n "$broker" ] || return 0
	kill -CONT "$broker" 2> /dev/null
	kill -TERM "$broker" 2> /dev/null
	wait "$broker" 2> /dev/null
	broker=
}
trap 'stop_broker; rm -rf "$tmp"' EXIT

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
cat > "$tmp/mosquitto.conf" <<EOF
listener $port 127.0.0.1
allow_anonymous true
persistence true
persistence_location $tmp/
autosave_interval 0
user $(id -un)
log_dest file $tmp/mosquitto.log
log_type all
EOF

start_broker() {
	mosquitto -c "$tmp/mosquitto.conf" 2>> "$tmp/mosquitto.err" &
	broker=$!
	for ((w = 0; w < 100; w++)); do
		timeout 1 bash -c "exec 3<> /dev/tcp/127.0.0.1/$port" \
		    2> /dev/null && return 0
		sleep 0.05
	done
	echo "# mosquitto did not listen on $port"
	return 1
}

# wait_for FILE TEXT: until FILE holds TEXT, at most 10 s.
wait_for() {
	for ((w = 0; w < 200; w++)); do
		grep -qF -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_lines FILE N: until FILE has N lines, at most 10 s.
wait_lines() {
	for ((w = 0; w < 200; w++)); do
		[ "$(wc -l < "$1" 2> /dev/null || echo 0)" -ge "$2" ] &&
		    return 0
		sleep 0.05
	done
	return 1
}

# drive NAME ARGS...: mqtt-drive in the background, its output in
# $tmp/NAME.out and .err; returns once it has subscribed.
drive() {
	local name=$1
	shift
	rm -f "$tmp/$name.out" "$tmp/$name.err"
	timeout 30 "$drive" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
	driver=$!
	wait_for "$tmp/$name.err" "subscribed"
}

# publish TOPIC QOS FIRST LAST [VERSION]: messages "m<FIRST>" to
# "m<LAST>", a line each, in one mosquitto_pub connection.
publish() {
	seq -f "m%g" "$3" "$4" | timeout 10 mosquitto_pub -p "$port" \
	    -V "${5:-mqttv311}" -i "pub-$$" -t "$1" -q "$2" -l
}

# expect NAME DESCRIPTION: the lines of the named runs' output, sorted,
# are $tmp/want (sorted); prints the TAP line.
n=0
failed=0
expect() {
	local desc=$1 got
	shift
	n=$((n + 1))
	got=$(for f in "$@"; do cat "$tmp/$f.out"; done | sort)
	if [ "$got" = "$(sort "$tmp/want")" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		diff <(sort "$tmp/want") <(echo "$got") | sed 's/^/#   /'
		for f in "$@"; do
			sed "s/^/#   $f: /" "$tmp/$f.out" "$tmp/$f.err"
		done
		# the broker's side of the named client's exchanges
		[ -n "${client:-}" ] && grep -F " $client " "$tmp/mosquitto.log" |
		    tail -60 | sed 's/^/#   broker: /'
		failed=1
	fi
}

# want TOPIC QOS FIRST LAST: the lines a run of publish makes.
want() {
	seq -f "$1 $2 m%g" "$3" "$4"
}

check() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=1
	fi
}

echo "1..24"
start_broker || exit 1

# Every QoS, both versions: 50 messages each arrive once, in order.
for version in 311 5; do
	v=(); pv=mqttv311
	[ "$version" = 5 ] && v=(-5) && pv=mqttv5
	for qos in 0 1 2; do
		drive q$qos "${v[@]}" -i "q$qos-$version" -n 50 "$port" \
		    "sensors/#:$qos"
		publish sensors/a "$qos" 1 50 "$pv"
		wait "$driver"
		status=$?
		want sensors/a "$qos" 1 50 > "$tmp/want"
		expect "MQTT $version QoS $qos: 50 messages once (status $status)" q$qos
		[ "$(cat "$tmp/q$qos.out")" = "$(want sensors/a "$qos" 1 50)" ] ||
		    echo "# not in order"
	done
done

# Wildcards: + one level, # the rest, and what neither matches.
drive wild -5 -n 4 "$port" 'a/+/t:1' 'b/#:2'
for t in a/x/t a/y/z b b/c/d a/x/t/u a/z/t; do
	publish "$t" 1 1 1 mqttv5
done
wait "$driver"
printf '%s\n' "a/x/t 1 m1" "b 1 m1" "b/c/d 1 m1" "a/z/t 1 m1" > "$tmp/want"
expect "topic filters with + and #" wild

# A persistent session: the first process takes 3 of 6 and leaves;
# 3 more are published while no one is connected; a second process
# with the same client id gets the rest, each once.
for version in 311 5; do
	v=(); pv=mqttv311
	[ "$version" = 5 ] && v=(-5) && pv=mqttv5
	for qos in 1 2; do
		id=persist-$version-$qos client=$id
		drive p1 "${v[@]}" -c -i "$id" -n 3 "$port" "p/#:$qos"
		publish p/s "$qos" 1 6 "$pv"
		wait "$driver"
		# the broker done with the first connection, its acks taken
		wait_for "$tmp/mosquitto.log" "Client $id disconnected" ||
		    echo "# the broker did not log $id disconnected"
		publish p/s "$qos" 7 9 "$pv"
		timeout 30 "$drive" "${v[@]}" -c -i "$id" -n 6 "$port" \
		    "p/#:$qos" > "$tmp/p2.out" 2> "$tmp/p2.err"
		want p/s "$qos" 1 9 > "$tmp/want"
		expect "MQTT $version QoS $qos persistent session: 9 messages over two processes, once" p1 p2
	done
done
client=
check "the second process found the session" \
    "grep -q 'session present' '$tmp/p2.err'"
echo "# $(grep -c 'Sending PUBLISH to persist-.*(d1,' "$tmp/mosquitto.log")" \
    "messages sent again (DUP) to the second processes"

# The broker restarts mid-stream; the client reconnects to the session
# the broker saved.  QoS 2 is killed right after the 5th message, its
# PUBREC maybe not answered yet: still once.
for version in 311 5; do
    v=(); pv=mqttv311
    [ "$version" = 5 ] && v=(-5) && pv=mqttv5
    for qos in 1 2; do
	drive restart "${v[@]}" -c -R -i "restart-$version-$qos" -n 10 \
	    -t 25 "$port" "r/#:$qos"
	publish r/s "$qos" 1 5 "$pv"
	wait_lines "$tmp/restart.out" 5
	[ "$qos" = 1 ] && sleep 0.5	# its PUBACKs reach the broker
	stop_broker
	start_broker || exit 1
	publish r/s "$qos" 6 10 "$pv"
	wait "$driver"
	want r/s "$qos" 1 10 > "$tmp/want"
	expect "MQTT $version QoS $qos across a broker restart: 10 messages once" restart
    done
done

# QoS 2 with records still being written (each ack 1.5 s after its
# line) while the broker restarts: the acks go to a dead connection or
# none, the broker sends the messages again on the new one, and the
# client answers PUBREC without delivering them twice.
drive hold -5 -c -R -s 1500 -n 3 -t 25 -i hold-2 "$port" "h/#:2"
publish h/s 2 1 3 mqttv5
wait_lines "$tmp/hold.out" 1
stop_broker
start_broker || exit 1
wait "$driver"
want h/s 2 1 3 > "$tmp/want"
expect "QoS 2 acked across a broker restart: 3 messages once" hold
echo "# $(grep -c 'Sending PUBLISH to hold-2 (d1,' "$tmp/mosquitto.log")" \
    "sent again (DUP), $(grep -c 'Received PUBREC from hold-2' \
    "$tmp/mosquitto.log") PUBREC received"

# A slow pipeline: each ack 2.5 s after its message, the socket not
# read meanwhile, with a keepalive of 1 s (the broker drops a client
# silent for 1.5 s): nothing lost, and the connection kept, so that a
# 4th message published once 3 are through still comes.
drive slow -5 -k 1 -s 2500 -r 2 -n 4 -i slow-client "$port" "slow/#:1"
publish slow/s 1 1 3 mqttv5
wait_lines "$tmp/slow.out" 3
publish slow/s 1 4 4 mqttv5
wait "$driver"
want slow/s 1 1 4 > "$tmp/want"
expect "a slow pipeline past the keepalive: nothing lost" slow
check "and the broker kept the connection" \
    "! grep -q 'slow-client has exceeded timeout' '$tmp/mosquitto.log' &&
    [ \$(grep -c connected '$tmp/slow.err') = 1 ]"

# A message larger than the client takes: refused with its size, and
# the next one still comes.
drive big -m 200 -n 2 "$port" "big/#:1"
head -c 1000 /dev/zero | tr '\0' x | timeout 10 mosquitto_pub -p "$port" \
    -t big/s -q 1 -s
publish big/s 1 1 1
wait "$driver"
printf '%s\n' "big/s 1 oversize 1012" "big/s 1 m1" > "$tmp/want"
expect "a message over the limit: refused, the next delivered" big
# A broker that stops answering (SIGSTOP): the missing PINGRESP is seen
# within the keepalive; once it runs again, the client is back on its
# session and gets what was published meanwhile.
drive stop -5 -c -R -k 1 -i stopped -n 2 -t 25 "$port" "stop/#:1"
publish stop/s 1 1 1 mqttv5
wait_lines "$tmp/stop.out" 1
kill -STOP "$broker"
wait_for "$tmp/stop.err" "did not answer PINGREQ"
check "a stopped broker: PINGREQ unanswered within the keepalive" \
    "grep -q 'broker did not answer PINGREQ within 1 s' '$tmp/stop.err'"
kill -CONT "$broker"
publish stop/s 1 2 2 mqttv5
wait "$driver"
want stop/s 1 1 2 > "$tmp/want"
expect "and once it runs again, the message published meanwhile" stop
stop_broker

# peer NAME BYTES: a peer (nc) that sends BYTES (printf's escapes) to the
# driver and, after them, closes; the driver's stderr in $tmp/NAME.err.
peer() {
	printf "$2" > "$tmp/$1.bytes"
	timeout 10 nc -l -q 0 127.0.0.1 "$port" < "$tmp/$1.bytes" \
	    > /dev/null &
	nc=$!
	for ((w = 0; w < 100; w++)); do
		timeout 10 "$drive" -n 1 -t 5 "$port" "#" > "$tmp/$1.out" \
		    2> "$tmp/$1.err" && break
		grep -q refused "$tmp/$1.err" || break
		sleep 0.05
	done
	kill "$nc" 2> /dev/null
	wait "$nc" 2> /dev/null
}

# Garbage from a peer, as a broker would never send: the connection
# ends with the reason and the byte of it.
peer garbage '\x20\x02\x00\x00\x90\x03\x00\x01\x01\x30\x05\x00\x03a\xffb'
check "garbage: \"$(grep malformed "$tmp/garbage.err")\"" \
    "grep -qx 'mqtt-drive: malformed PUBLISH at byte 11 of the connection (2 of the packet): string not valid UTF-8 or with U+0000' '$tmp/garbage.err'"

# A peer that dies in the middle of a message says where (the reason is
# the end of the stream, or a write that found the peer gone first).
peer cut '\x20\x02\x00\x00\x90\x03\x00\x01\x01\x32\x09\x00\x03a/b'
check "cut short: \"$(grep lost "$tmp/cut.err")\"" \
    "grep -qxE 'mqtt-drive: connection lost: (end of stream|Broken pipe|Connection reset by peer), 7 bytes into a PUBLISH at byte 9 of the connection' '$tmp/cut.err'"
exit $failed
