#!/bin/bash
# sdc-sink's kafka destination against a real Apache Kafka broker in
# KRaft mode (tests/kafka/broker.sh, one broker shared by the cases and
# restarted once mid-stream), and against librdkafka's mock cluster for
# the errors a real broker will not make on demand.  What was produced
# is read back with kcat.  Prints TAP.  Environment: top_srcdir,
# top_builddir.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-kafka.XXXXXX")
broker=$srcdir/tests/kafka/broker.sh
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2> /dev/null; "$broker" stop "$tmp/kafka"; rm -rf "$tmp"' EXIT
cases=29
jars=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/maven/kafka/jars
if ! command -v kcat > /dev/null || ! command -v java > /dev/null ||
    [ ! -d "$jars" ]; then
	echo "1..0 # SKIP no kcat, java or Kafka jars (scripts/bootstrap installs them)"
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
# records N FILE: N sightings as a record stream, /n numbering them,
# attributes zone (z0, z1) and mall.
records() {
	python3 - "$1" <<-'PY' | sdc-convert -i sdcjson --sdcjson-no-magic -o sdc > "$2"
	import json, sys
	def f(path, t, v):
	    return {"type": t, "value": v, "sqpath": path, "dqpath": path}
	for i in range(int(sys.argv[1])):
	    print(json.dumps({"header": {"sourceId": "gen:%d" % i,
	        "values": {"zone": "z%d" % (i % 2), "mall": "m1"}},
	        "value": {"type": "LIST_MAP", "value": [
	            f("/n", "INTEGER", i), f("/dev", "STRING", "dev%d" % (i % 7)),
	            f("/p", "INTEGER", i % 3), f("/rssi", "INTEGER", -30 - i % 60)]}}))
	PY
}
# consume TOPIC [FORMAT]: every message of the topic, kcat -f FORMAT
consume() {
	timeout 30 kcat -C -b "$addr" -t "$1" -e -q -f "${2:-%s\n}"
}
sink() {
	timeout 60 sdc-sink kafka --brokers "$addr" --metrics "$tmp/m.json" "$@"
}
metric() {
	jq ".$1" "$tmp/m.json"
}

echo "1..$cases"
if ! addr=$("$broker" start "$tmp/kafka" 2> "$tmp/broker.err"); then
	cat "$tmp/broker.err" | sed 's/^/# /'
	for i in $(seq $cases); do echo "not ok $i - no broker"; done
	exit 1
fi

# The happy path: the record stream by default, one message a record,
# each a whole stream, so the messages read back are a stream again.
records 1000 "$tmp/in.sdc"
records 20000 "$tmp/big.sdc"
records 20 "$tmp/small.sdc"
sink --topic plain < "$tmp/in.sdc" > "$tmp/out.sdc" 2> "$tmp/err"
check "1000 records: exit status" "$?" 0
check "1000 records: delivered" "$(metric delivered)" 1000
check "1000 records: nothing failed or undelivered" \
    "$(metric failed) $(metric undelivered)" "0 0"
consume plain '%s' > "$tmp/back.sdc"
check "1000 messages in the topic" \
    "$(consume plain '%o\n' | wc -l)" 1000
check "the messages are the records, read back by sdc-convert" \
    "$(sdc-convert -o json < "$tmp/back.sdc" | jq -s -c 'sort_by(.n) | .[0], .[999], length')" \
    "$(sdc-convert -o json < "$tmp/in.sdc" | jq -s -c 'sort_by(.n) | .[0], .[999], length')"
check "no events and no error records on standard output" \
    "$(sdc-convert -o json < "$tmp/out.sdc" | wc -l)" 0

# Keys, the key partitioner (murmur2, as Java's) and headers.
sink --topic keyed -F json --key-field /dev \
    --headers-from-attributes zone < "$tmp/in.sdc" > /dev/null 2> "$tmp/err"
consume keyed '%k %p %h %s\n' > "$tmp/keyed"
check "the key is the field's value" \
    "$(awk '{ split($4, a, "\"dev\":\""); split(a[2], b, "\""); if ($1 != b[1]) bad++ } END { print NR, bad + 0 }' "$tmp/keyed")" \
    "1000 0"
check "a key's messages all in one partition" \
    "$(awk '{ print $1, $2 }' "$tmp/keyed" | sort -u | awk '{ print $1 }' | uniq -d | wc -l)" 0
check "the partition of key dev0 is murmur2's, as the Java client's" \
    "$(awk '$1 == "dev0" { print $2; exit }' "$tmp/keyed")" \
    "$(python3 -c '
def murmur2(data):
    m, r, h = 0x5bd1e995, 24, 0x9747b28c ^ len(data)
    n = len(data) // 4 * 4
    for i in range(0, n, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * m) & 0xffffffff; k ^= k >> r; k = (k * m) & 0xffffffff
        h = (h * m) & 0xffffffff; h ^= k
    rest = data[n:]
    if len(rest) >= 3: h ^= rest[2] << 16
    if len(rest) >= 2: h ^= rest[1] << 8
    if len(rest) >= 1: h ^= rest[0]; h = (h * m) & 0xffffffff
    h ^= h >> 13; h = (h * m) & 0xffffffff; h ^= h >> 15
    return h
print((murmur2(b"dev0") & 0x7fffffff) % 3)')"
check "headers from the attributes named, only those" \
    "$(awk '{ print $3 }' "$tmp/keyed" | sort | uniq -c | awk '{ print $1, $2 }' | tr '\n' ' ')" \
    "500 zone=z0 500 zone=z1 "

# Round robin, over a topic whose partitions all have
# leaders (a new topic's may not yet, and those are skipped); partitions
# from a field.
echo seed | timeout 30 kcat -P -b "$addr" -t rr -p 0
sink --topic rr -F json --partitioner round-robin < "$tmp/in.sdc" > /dev/null 2> "$tmp/err"
check "round robin: the partitions share the records evenly" \
    "$(consume rr '%p %s\n' | grep -v seed | awk '{ print $1 }' | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')" \
    "334 333 333 "
sink --topic byfield -F json --partitioner field --partition-field /p \
    < "$tmp/in.sdc" > /dev/null 2> "$tmp/err"
check "partition from the field: each message where its /p says" \
    "$(consume byfield '%p %s\n' | awk '{ split($2, a, "\"p\":"); if ($1 != a[2] + 0) bad++ } END { print NR, bad + 0 }')" \
    "1000 0"

# Sticky, the default without a key: a partition a batch, all used.
sink --topic sticky -F json --max-buffer 64K --flush-ms 1 < "$tmp/big.sdc" > /dev/null 2> "$tmp/err"
check "sticky: every partition has some of the records" \
    "$(consume sticky '%p\n' | sort -u | tr '\n' ' ')" "0 1 2 "

# Sticky once librdkafka's statistics have listed the topic's leaders:
# runs of batches, the partitions in turn (librdkafka's own picks one
# at random for each while).  The records after the pause are looked at.
echo seed | timeout 30 kcat -P -b "$addr" -t turns -p 0
json_lines() {	# FROM TO
	seq "$1" "$2" | awk '{ printf "{\"n\":%d,\"dev\":\"dev%d\"}\n", $1, $1 % 7 }'
}
(json_lines 0 1999; sleep 1; json_lines 2000 11999) | sdc-convert --from json |
    sink --topic turns -F json > /dev/null 2> "$tmp/err"
check "sticky in turn: runs of whole batches over the three partitions, each the next" \
    "$(consume turns '%p %s\n' | grep -v seed | jq -R -r 'split(" ") | (.[1] | fromjson | .n | tostring) + " " + .[0]' |
	sort -n | awk '$1 >= 2000 { if ($2 != last) { runs++; if (runs > 1 && $2 != (last + 1) % 3) bad++; if (len && len < 64) short++; len = 0; if (!($2 in seen)) { seen[$2] = 1; kinds++ } } last = $2; len++ }
	END { print kinds + 0, bad + 0, short + 0, (runs >= 4) }')" \
    "3 0 0 1"

# The topic from a template of the attributes, and from a field.
sink --topic 'zone-${attr:zone}' -F json < "$tmp/in.sdc" > /dev/null 2> "$tmp/err"
check "topic template: each record in its zone's topic" \
    "$(consume zone-z0 | jq -s 'map(.n % 2) | unique'),$(consume zone-z1 | wc -l)" \
    "[
  0
],500"

# A hostile field value in a topic template: "/" neutralised; a name
# Kafka refuses fails its record, with the broker's reason.
printf '%s\n' '{"header":{"sourceId":"h:1"},"value":{"type":"LIST_MAP","value":[{"type":"STRING","value":"../x","sqpath":"/dev","dqpath":"/dev"}]}}' \
    '{"header":{"sourceId":"h:2"},"value":{"type":"LIST_MAP","value":[{"type":"STRING","value":"a b","sqpath":"/dev","dqpath":"/dev"}]}}' |
    sdc-convert -i sdcjson --sdcjson-no-magic -o sdc > "$tmp/hostile.sdc"
sink --topic 'h-${/dev}' -F json < "$tmp/hostile.sdc" > "$tmp/out.sdc" 2> "$tmp/err"
check "hostile topic field: '../x' stays in its topic, 'a b' is an error record" \
    "$(consume h-.._x),$(sdc-convert -o json < "$tmp/out.sdc" | jq -r '.["@error"] | .id + " " + .code')" \
    '{"dev":"../x"},h:2 KAFKA_TOPIC_EXCEPTION'

# --check: metadata, nothing written.
sink --topic plain --check > /dev/null 2> "$tmp/err"
check "--check: status and what the broker said" \
    "$?,$(grep -c "topic 'plain': 3 partitions, leaders 1,1,1" "$tmp/err")" "0,1"

# The broker restarted mid-stream: nothing lost, nothing twice (the
# idempotent producer), counted on the broker's side.
python3 -c '
import sys, time
data = open(sys.argv[1], "rb").read()
for i in range(0, len(data), 2048):
    sys.stdout.buffer.write(data[i:i + 2048]); sys.stdout.flush()
    time.sleep(0.004)' "$tmp/big.sdc" |
    timeout 120 sdc-sink kafka --brokers "$addr" --topic restart -F json \
    --metrics "$tmp/m.json" > /dev/null 2> "$tmp/restart.err" &
pid=$!
sleep 1.5
"$broker" stop "$tmp/kafka"
sleep 1
"$broker" start "$tmp/kafka" > /dev/null 2> "$tmp/broker.err"
wait $pid
status=$?
pid=
check "restart: exit status and delivered" "$status $(metric delivered)" "0 20000"
check "restart: the broker was down while records came" \
    "$(grep -c -i 'down\|refused\|disconnect' "$tmp/restart.err" | awk '{ print ($1 > 0) }')" 1
check "restart: 20000 records in the topic, each once" \
    "$(consume restart '%s\n' | jq .n | sort -u | wc -l) $(consume restart '%o\n' | wc -l)" \
    "20000 20000"

# A stop signal while no broker answers: after the grace period, what
# was never sent is failed, as error records, not lost.
mkfifo "$tmp/in.fifo"
{ cat "$tmp/small.sdc"; sleep 30; } > "$tmp/in.fifo" &
writer=$!
sdc-sink kafka --brokers 127.0.0.1:1 --topic x -F json \
    --metrics "$tmp/m.json" < "$tmp/in.fifo" > "$tmp/out.sdc" 2> "$tmp/err" &
pid=$!
sleep 2
kill -TERM $pid
wait $pid
status=$?
pid=
kill $writer 2> /dev/null
check "stopped with no broker: every record an error record" \
    "$status $(metric failed) $(sdc-convert -o json < "$tmp/out.sdc" | jq -r '.["@error"].code' | sort | uniq -c | tr -s ' ')" \
    "0 20  20 KAFKA_PURGE_QUEUE"

# librdkafka's mock cluster: answers that fail, then retries.
mock() {
	timeout 60 sdc-sink kafka -X test.mock.num.brokers=1 --topic m \
	    -F json --metrics "$tmp/m.json" "$@"
}
mock --mock-errors 'NOT_ENOUGH_REPLICAS*3' < "$tmp/small.sdc" > "$tmp/out.sdc" 2> "$tmp/err"
check "mock: retriable errors, retried, then delivered" \
    "$(metric delivered) $(metric failed) $(metric retried | awk '{ print ($1 > 0) }')" \
    "20 0 1"
mock --mock-errors 'NOT_ENOUGH_REPLICAS*100' --retry-attempts 3 \
    < "$tmp/small.sdc" > "$tmp/out.sdc" 2> "$tmp/err"
check "mock: 3 attempts each, then error records" \
    "$(metric delivered) $(metric failed) $(metric retried)" "0 20 40"
check "mock: the error records carry the code, reason and payload" \
    "$(sdc-convert -o json < "$tmp/out.sdc" | jq -r '.["@error"] | .code + " " + (.record | @base64d | fromjson | .n | tostring)' | sort -k2n | sed -n '1p;$p' | tr '\n' ' ')" \
    "KAFKA_NOT_ENOUGH_REPLICAS 0 KAFKA_NOT_ENOUGH_REPLICAS 19 "
mock --mock-errors 'TOPIC_AUTHORIZATION_FAILED*2' < "$tmp/small.sdc" \
    > "$tmp/out.sdc" 2> "$tmp/err"
check "mock: an error that is not retriable fails its records at once" \
    "$(metric retried) $(( $(metric failed) > 0 )) $(( $(metric delivered) + $(metric failed) ))" \
    "0 1 20"

# A message librdkafka refuses as it is produced (over message.max.bytes)
# amid a batch: an error record of its payload; those around it go.
for i in 0 1 2 3 4; do
	long=$( [ $i = 2 ] && printf '%02000d' 0 || echo short)
	printf '{"header":{"sourceId":"b:%d"},"value":{"type":"LIST_MAP","value":[{"type":"INTEGER","value":%d,"sqpath":"/n","dqpath":"/n"},{"type":"STRING","value":"%s","sqpath":"/s","dqpath":"/s"}]}}\n' $i $i "$long"
done | sdc-convert -i sdcjson --sdcjson-no-magic -o sdc > "$tmp/sizes.sdc"
mock -X message.max.bytes=1000 < "$tmp/sizes.sdc" > "$tmp/out.sdc" 2> "$tmp/err"
check "refused when produced: the others delivered, that one failed" \
    "$?,$(metric delivered),$(metric failed)" "0,4,1"
check "refused when produced: its error record has the code, id and payload" \
    "$(sdc-convert -o json < "$tmp/out.sdc" | jq -r '.["@error"] | .code + " " + .id + " " + (.record | @base64d | fromjson | .n | tostring)')" \
    "KAFKA_MSG_SIZE_TOO_LARGE b:2 2"

# Secrets: from a file or the environment, never in the command line.
sdc-sink kafka -X test.mock.num.brokers=1 --topic m \
    -X sasl.password=hunter2 --check > /dev/null 2> "$tmp/err"
check "a secret in the command line is refused" \
    "$?,$(grep -c 'never in the command line' "$tmp/err")" "2,1"
echo hunter2 > "$tmp/password"
SECRET=hunter2 sdc-sink kafka -X test.mock.num.brokers=1 --topic m \
    -X sasl.password=@"$tmp/password" -X ssl.key.password=env:SECRET \
    --check > /dev/null 2> "$tmp/err"
check "secrets as @FILE and env:VARIABLE" "$?" 0
exit $failed
