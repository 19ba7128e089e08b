#!/bin/bash
# The examples of the documentation run: every block of each man page's
# EXAMPLES section (man/*.[1-9]) and each program's --help example.
#
# A man page block is an example when it holds a command: a line starting
# with "$ " (or "HOST$ ", a command for another host, run here too).  A
# command goes on over the lines after one that ends in "\", "|" or "&&";
# the other lines are the output it shows, checked against what the block
# prints on stdout, or else on stderr, when there are any: line by line, a
# line ending in "..." standing for any line that starts with what
# precedes it.  A command ending in "&" is a server: the next command
# waits until it catches SIGTERM and the ports it names listen, and when the block's last command is done it
# gets SIGTERM and must exit 0, or 143 (128 plus the signal, as
# sdc-spark-eval does).  The --help example is the lines under
# "Example:", which are all commands.
#
# Each example runs in a fresh directory holding the files it names: the
# source tree's sample/ and lib/spark/examples/ (the man pages' examples
# run "from the top of the source tree") and the fixtures below, with the
# built programs first in PATH, under bash -e -o pipefail, in a time limit.
# What an example names that is not on this machine (hosts, ports, paths
# of a deployment) goes through the one table SUBSTITUTIONS below, and
# the servers that stand for those hosts are started only when some
# example names them (mosquitto, plain and with TLS and passwords, a
# static http server for a schema registry, tests/sink/http-server.py,
# S3Proxy, the Databricks contract server
# tests/sparkjob/databricks-server.py; the examples' own servers run from
# the example).
# Examples that cannot run here are named in NOT_RUN, with the reason.
#
# Arguments: the examples to run, by name (PAGE.N or PROGRAM.help; all of
# them by default).  Prints TAP.  Environment: top_srcdir, top_builddir, SDC_SPARK_PYTHON (a
# Python with PySpark; without one the Spark examples fail in CI, else
# are skipped).
set -u
srcdir=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
builddir=$(cd "${top_builddir:-$srcdir/build}" && pwd)
python=${SDC_SPARK_PYTHON:-${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/venv/bin/python}
data=$srcdir/tests/cli/data
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-examples.XXXXXX")
servers=()
stop_servers() {
	local pid
	for pid in "${servers[@]}"; do kill -TERM "$pid" 2> /dev/null; done
	for pid in "${servers[@]}"; do wait "$pid" 2> /dev/null; done
}
trap 'stop_servers; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
n=0 failed=0

ok() {	# ok STATUS DESCRIPTION [FILE...]
	local status=$1 what=$2 f
	shift 2
	n=$((n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $n - $what"
		return
	fi
	echo "not ok $n - $what"
	failed=$((failed + 1))
	for f in "$@"; do
		[ -s "$f" ] && tail -30 "$f" | sed 's/^/# /'
	done
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

free_port() { python3 "$data/free-port.py" "$@"; }

# Examples left out, by the start of their first command, and why.
NOT_RUN=(
)

# ---------------------------------------------------------------------
# The examples, as files $tmp/ex/NAME.raw: the commands and the output
# shown, mdoc escapes undone.

mkdir "$tmp/ex"

# man_examples PAGE: each literal block of PAGE's EXAMPLES section.
man_examples() {
	local page=$1 name
	name=$(basename "$page")
	awk -v dir="$tmp/ex" -v name="$name" '
	/^\.Sh / { on = ($0 == ".Sh EXAMPLES"); next }
	on && /^\.Bd -literal/ { inside = 1; k++; next }
	inside && /^\.Ed/ { inside = 0; next }
	inside {
		line = $0
		gsub(/\\\(dq/, "\"", line)
		gsub(/\\-/, "-", line)
		gsub(/\\&/, "", line)
		gsub(/\\e/, "\\", line)
		print line > (dir "/" name "." k ".raw")
	}' "$page"
}

# help_example PROGRAM: the lines under "Example:" of its --help, each
# a command.
help_example() {
	"$builddir/$1" --help | awk '
	/^Example:$/ { on = 1; next }
	on && /^$/ { exit }
	on { sub(/^  /, ""); print (/^ / ? "" : "$ ") $0 }
	' > "$tmp/ex/$1.help.raw"
}

for page in "$srcdir"/man/*.[1-9]; do
	man_examples "$page"
done
for src in "$srcdir"/cmd/sdc-*.c; do
	help_example "$(basename "$src" .c)"
done
# A block without a command (a file's content, a byte layout) is none.
for raw in "$tmp"/ex/*.raw; do
	grep -q '^[A-Za-z0-9_-]*\$ ' "$raw" || rm "$raw"
done

# ---------------------------------------------------------------------
# The fixtures: files that examples name, made once in $tmp/fixtures and
# copied into each example's directory.

fix=$tmp/fixtures
mkdir -p "$fix/lib/spark"
cp -R "$srcdir/sample" "$fix/sample"
cp -R "$srcdir/lib/spark/examples" "$fix/lib/spark/examples"
# The --help examples name the sample files without their directory.
cp "$srcdir"/sample/sightings.csv "$srcdir"/sample/mall.json \
    "$srcdir"/sample/mall.key "$srcdir/README" "$fix/"
make_fixtures() {
	local mall=sample/mall-sightings.csv sightings=sample/sightings.csv
	local half
	sdc-convert --from csv "$sightings" > records.sdc
	# Enough of the mall's sightings for every program, few for Spark.
	head -n 3000 "$mall" | sdc-convert --from csv --infer-types > sightings.sdc
	# Days: the two halves of a sample, the mall's so that sdc-locate
	# takes them too.
	half=$(($(wc -l < "$mall") / 2))
	head -n "$half" "$mall" > monday.csv
	{ head -n 1 "$mall"; tail -n +"$((half + 1))" "$mall"; } > tuesday.csv
	head -n 100 "$sightings" > day1.csv
	{ head -n 1 "$sightings"; tail -n +101 "$sightings"; } > day2.csv
	# A CSV file with a line that does not parse.
	{ head -n 5 "$sightings"; echo '"unterminated,1'; } > in.csv
	head -c 150000 /dev/urandom > image.png
	# An access log with the time taken to serve each request (%D).
	sed 's/ "[^"]*" "[^"]*"$/ 1520/' sample/access.log > access.log
	head -n 2 "$data/log-syslog3164.log" > syslog.log
	head -n 1 "$data/log-cef.log" > firewall.log
	cp "$data/csv-mysql.tsv" visits.tsv
	cat > sighting.proto <<-'PROTO'
	syntax = "proto3";
	package mall;
	import "google/protobuf/timestamp.proto";
	message Sighting {
	  google.protobuf.Timestamp ts = 1;
	  string sensor_id = 2;
	  string device_id = 3;
	  sint32 rssi = 4;
	  string radio = 5;
	  uint32 channel = 6;
	}
	PROTO
	cat > catalog.xml <<-'XML'
	<?xml version="1.0"?>
	<catalog xmlns="urn:example:catalog">
	  <book id="b1"><title>Sightings</title></book>
	  <book id="b2"><title>Dwell</title></book>
	</catalog>
	XML
	# Two datums in Confluent's framing, of schema id 7.
	head -c 20 "$data/avro-confluent.bin" > messages.bin
	mkdir -p registry/schemas/ids
	jq -n --rawfile s "$data/avro-schemas/7.avsc" '{schema: $s}' \
	    > registry/schemas/ids/7
	# Sightings from a controller whose fields have other names.
	sdc-convert --to json sightings.sdc | jq -c '{time: .ts,
	    ap: .sensor_id, client: {mac: .device_id}, signal: .rssi}' |
	    sdc-convert --from json > controller.sdc
	# Sightings that carry their zone, for the foot traffic example.
	sdc-convert --c2j "$sightings" | jq -c '.zone = ["entrance",
	    "food court", "fashion"][(.sensor_id[7:] | tonumber) % 3]' \
	    > zoned-sightings.jsonl
	cp lib/spark/examples/foot_traffic.py traffic.py
	cp lib/spark/examples/anomalies.py anomalies.py
	head -n 100 zoned-sightings.jsonl | sdc-convert --from json > mall1.sdc
	tail -n +101 zoned-sightings.jsonl | sdc-convert --from json > mall2.sdc
	# The files a run of sdc-sink closed, its events, and launches of
	# which one failed.
	sdc-sink file --directory positions --max-records 100 -F json \
	    < records.sdc > events.sdc
	cp "$srcdir/tests/vectors/error.sdc" launches.sdc
	cp records.sdc received.sdc
	cat > count.py <<-'PY'
	"""count.py FILE: the lines of FILE, counted by Spark."""
	import sys
	from pyspark.sql import SparkSession
	spark = SparkSession.builder.getOrCreate()
	with open(sys.argv[1], "rb") as f:
	    print(spark.sparkContext.parallelize(f.readlines()).count())
	spark.stop()
	PY
	cat > visits.py <<-'PY'
	"""visits.py FILE: the visits of the positions in FILE, by zone."""
	import json
	import sys
	from pyspark.sql import SparkSession
	spark = SparkSession.builder.getOrCreate()
	with open(sys.argv[1], encoding="utf-8") as f:
	    zones = [json.loads(line).get("zone") for line in f]
	counts = spark.sparkContext.parallelize(zones).countByValue()
	print(json.dumps(counts))
	spark.stop()
	PY
	echo example-secret > secret
	echo example-token > .databricks-token
	mkdir logs
	head -n 3 "$data/log-common.log" > logs/app.log
	sh "$srcdir/tests/tls/make-certs.sh" . > /dev/null
	printf '{"sensor":"s1","count":3}\n' > batch.json
	printf '{"sensor":"s1","count":3}\n{"sensor":"s2","count":1}\n' \
	    > lines.json
	echo mqtt-example > mqtt.pw
}
(cd "$fix" && PATH=$builddir:$PATH make_fixtures) ||
    ok 1 "the fixtures are made"

# ---------------------------------------------------------------------
# The servers the examples need, each started once, when some example
# names what it stands for.

names() { cat "$tmp"/ex/*.raw | grep -q -F -e "$1"; }

# serve: note the server just started in the background, for the end.
serve() { servers+=("$!"); }

# port_file FILE: the port a server writes to FILE, once it has (10 s at
# most).
port_file() {
	local _
	for _ in $(seq 100); do
		[ -s "$1" ] && break
		sleep 0.1
	done
	cat "$1" 2> /dev/null
}

registry_port= mqtts_port= s3_url= databricks_port= mqtt_port= push_port=
# The push backend that tests/sink/http-server.py plays.
if names localhost:8080; then
	python3 "$srcdir/tests/sink/http-server.py" --port-file "$tmp/http.port" \
	    --log "$tmp/http.log" 2> "$tmp/http.err" &
	serve
	push_port=$(port_file "$tmp/http.port")
	[ -n "$push_port" ] || ok 1 "the http server starts" "$tmp/http.err"
fi
if names :1883; then
	mkdir "$tmp/mqtt"
	mqtt_port=$(PATH=$PATH:/usr/sbin "$data/mosquitto-start.sh" "$tmp/mqtt")
	servers+=("$(cat "$tmp/mqtt/pid")")
	[ -n "$mqtt_port" ] || ok 1 "mosquitto starts" "$tmp/mqtt/mosquitto.log"
fi
# S3Proxy, its bucket mall-positions made.
if names "sdc-sink s3"; then
	s3_url=$("$srcdir/tests/s3/s3proxy.sh" start "$tmp/s3") ||
	    ok 1 "S3Proxy starts"
	servers+=("$(cat "$tmp/s3/pid" 2> /dev/null)")
	export AWS_ACCESS_KEY_ID=sdc-test-key AWS_SECRET_ACCESS_KEY=sdc-test-secret
	export AWS_EC2_METADATA_DISABLED=true
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_REGION
	curl -sf --aws-sigv4 aws:amz:us-east-1:s3 \
	    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
	    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
	    -X PUT "$s3_url/mall-positions" -o /dev/null ||
	    ok 1 "the bucket mall-positions is made"
fi
# The Databricks contract server, whose job 1042 runs a notebook that
# succeeds.
if names example.cloud.databricks.com; then
	python3 "$srcdir/tests/sparkjob/databricks-server.py" \
	    --port-file "$tmp/databricks.port" --token example-token \
	    --job 1042=notebook:SUCCESS 2> "$tmp/databricks.log" &
	serve
	databricks_port=$(port_file "$tmp/databricks.port")
	[ -n "$databricks_port" ] ||
	    ok 1 "the Databricks contract server starts" "$tmp/databricks.log"
fi
# An MQTT broker over TLS with the fixtures' certificates, the user gw
# with the password of mqtt.pw.
if names broker.mall:8883; then
	mkdir "$tmp/mqtts"
	mosquitto_passwd -c -b "$tmp/mqtts/passwd" gw "$(cat "$fix/mqtt.pw")"
	mqtts_port=$(PATH=$PATH:/usr/sbin "$data/mosquitto-start.sh" \
	    "$tmp/mqtts" "" "cafile $fix/ca.pem" "certfile $fix/server.pem" \
	    "keyfile $fix/server.key" "password_file $tmp/mqtts/passwd" \
	    "allow_anonymous false")
	servers+=("$(cat "$tmp/mqtts/pid")")
	[ -n "$mqtts_port" ] || ok 1 "mosquitto starts" "$tmp/mqtts/mosquitto.log"
fi
if names http://localhost:8081; then
	registry_port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$fix/registry" \
	    "$registry_port" > "$tmp/registry.log" 2>&1 &
	serve
	python3 "$data/wait-port.py" tcp "$registry_port" ||
	    ok 1 "the schema registry's http server starts" "$tmp/registry.log"
fi

# ---------------------------------------------------------------------
# SUBSTITUTIONS: what the examples name that is not on this machine, and
# what it becomes here, in order, as literal text.

tcp_port=$(free_port) http_port=$(free_port) https_port=$(free_port)
udp_port=$(free_port udp) spark_port=$(free_port) ingest_port=$(free_port)
SUBSTITUTIONS=(
	# Listening ports: free ones.
	:5140 ":$tcp_port"	"-P 5140" "-P $tcp_port"	-n\ localhost -n\ 127.0.0.1
	:8000 ":$http_port"	:8443 ":$https_port"	:25826 ":$udp_port"
	127.0.0.1:8080 "127.0.0.1:$ingest_port"
	# Paths of a deployment: files of the example's directory.
	/var/log/syslog syslog.log	/var/log/app logs
	/usr/share/collectd/types.db sample/collectd-types.db
	/etc/sdc/mall.key mall.key	/etc/sdc/secret secret
	\~/.databricks-token .databricks-token
	# The MQTT broker: mosquitto; the schema registry: a static http
	# server.
	broker.mall:8883 "localhost:$mqtts_port"
	localhost:1883 "127.0.0.1:$mqtt_port"	"-p 1883" "-p $mqtt_port"
	127.0.0.1:1883 "127.0.0.1:$mqtt_port"
	http://localhost:8081 "http://127.0.0.1:$registry_port"
	# An http service, S3 and a Databricks workspace: the http server,
	# S3Proxy and the contract server.
	http://localhost:8080 "http://127.0.0.1:$push_port"
	"sdc-sink s3 --bucket" "sdc-sink s3 --endpoint $s3_url --bucket"
	https://example.cloud.databricks.com "http://127.0.0.1:$databricks_port"
	# Spark: a local master, there being no cluster here.
	spark://HOST:7077 "local[2]"	spark1:7070 "127.0.0.1:$spark_port"
	:7070 "127.0.0.1:$spark_port"
	"--master yarn --deploy-mode cluster" "--master 'local[2]'"
)

substitute() {	# substitute < RAW > TEXT
	local text i
	text=$(cat)
	for ((i = 0; i < ${#SUBSTITUTIONS[@]}; i += 2)); do
		text=${text//"${SUBSTITUTIONS[i]}"/"${SUBSTITUTIONS[i + 1]}"}
	done
	printf '%s\n' "$text"
}

# ---------------------------------------------------------------------
# Running them.

# split TEXT: TEXT.sh, the script of the commands, and TEXT.want, the
# output shown.
split() {
	awk -v sh="$1.sh" -v want="$1.want" '
	function ports(text,   out, s) {
		out = ""
		while (match(text, /:[0-9]+/)) {
			out = out " " substr(text, RSTART + 1, RLENGTH - 1)
			text = substr(text, RSTART + RLENGTH)
		}
		return out
	}
	BEGIN { printf "" > want }
	{
		line = $0
		if (!more && match(line, /^[A-Za-z0-9_-]*\$ /)) {
			line = substr(line, RLENGTH + 1)
			command = ""
		} else if (!more) {
			print line > want
			next
		}
		command = command " " line
		more = line ~ /(\\|\||&&)[ \t]*$/
		if (more)
			print line > sh
		else if (line ~ /[^&]&[ \t]*$/)
			print line "\n__ready" ports(command) > sh
		else
			print line " || exit" > sh
	}' "$1"
}

# same WANT GOT: whether GOT is the output WANT shows.
same() {
	python3 - "$1" "$2" <<'PY'
import sys
want = open(sys.argv[1]).read().splitlines()
got = open(sys.argv[2], errors="replace").read().splitlines()
def match(w, g):
    return g.startswith(w[:-3]) if w.endswith("...") else w == g
sys.exit(0 if len(want) == len(got) and
         all(match(w, g) for w, g in zip(want, got)) else 1)
PY
}

PRELUDE='set -e -o pipefail
# The server just started catches SIGTERM, and listens on the ports.
__ready() {
	local p pid _
	pid=$(jobs -p | tail -n 1)
	for _ in $(seq 200); do
		p=$(sed -n "s/^SigCgt:[[:space:]]*//p" "/proc/$pid/status" \
		    2> /dev/null)
		[ -n "$p" ] && (((0x$p >> 14) & 1)) && break
		sleep 0.05
	done
	for p in "$@"; do
		python3 "$__data/wait-port.py" tcp "$p" 2> /dev/null ||
		    python3 "$__data/wait-port.py" udp "$p" 2> /dev/null
	done
}
__stop() {
	local p
	for p in $(jobs -p); do kill -TERM "$p"; done
	for p in $(jobs -p); do wait "$p" || [ $? -eq 143 ]; done
}
# A failure ends whatever the example started: timeout made it a
# process group of its own.
trap "[ \$? -eq 0 ] || kill -KILL 0" EXIT
trap "exit 143" TERM'

run_example() {	# run_example RAW
	local raw=$1 name dir limit=60 what reason i status start
	name=$(basename "$raw" .raw)
	what="$name: $(sed -n 's/^[A-Za-z0-9_-]*\$ //p' "$raw" | head -1)"
	for ((i = 0; i < ${#NOT_RUN[@]}; i += 2)); do
		if grep -q -F -e "${NOT_RUN[i]}" "$raw"; then
			skip "$what" "${NOT_RUN[i + 1]}"
			return
		fi
	done
	if grep -q 'spark' "$raw" && [ -z "$spark" ]; then
		skip "$what" "no PySpark in '$python'"
		return
	fi
	grep -q 'spark' "$raw" && limit=150
	dir=$tmp/run/$name
	start=$SECONDS
	mkdir -p "$dir"
	cp -R "$fix/." "$dir/"
	substitute < "$raw" > "$tmp/$name.text"
	split "$tmp/$name.text"
	{
		echo "__data='$data'"
		echo "$PRELUDE"
		cat "$tmp/$name.text.sh"
		echo "__stop"
	} > "$tmp/$name.script"
	(cd "$dir" && PATH="$builddir:$spark_bin$PATH" timeout -k 5 $limit \
	    bash "$tmp/$name.script" < /dev/null > "$tmp/$name.out" \
	    2> "$tmp/$name.err") 2> /dev/null
	status=$?
	[ $status -ne 124 ] || echo "timed out after $limit s" >> "$tmp/$name.err"
	cat "$tmp/$name.out" "$tmp/$name.err" > "$tmp/$name.got"
	if [ $status -eq 0 ] && [ -s "$tmp/$name.text.want" ]; then
		same "$tmp/$name.text.want" "$tmp/$name.out" ||
		    same "$tmp/$name.text.want" "$tmp/$name.err"
		status=$?
		[ $status -eq 0 ] || {
			echo "--- want"; cat "$tmp/$name.text.want"
			echo "--- got"; cat "$tmp/$name.got"
		} > "$tmp/$name.diff"
	fi
	ok $status "$what ($((SECONDS - start)) s)" "$tmp/$name.text.sh" \
	    "$tmp/$name.got" \
	    "$tmp/$name.diff"
}

spark=
"$python" -c 'import pyspark' 2> /dev/null && spark=yes
if [ -z "$spark" ] && [ "${CI:-}" = true ]; then
	ok 1 "PySpark in '$python' (scripts/bootstrap installs it)"
fi
export SDC_SPARK_PYTHON=$python
export PYTHONPATH=$srcdir/lib/spark${PYTHONPATH:+:$PYTHONPATH}
# spark-submit, for sdc-sparkjob: the PySpark's, its applications run by
# the same Python.
spark_bin=
if [ -n "$spark" ]; then
	spark_bin=$("$python" -c 'import os, pyspark
print(os.path.dirname(pyspark.__file__))')/bin:
	export PYSPARK_PYTHON=$python
fi

for raw in "$tmp"/ex/*.raw; do
	[ $# -eq 0 ] || [[ " $* " == *" $(basename "$raw" .raw) "* ]] ||
	    continue
	run_example "$raw"
done
echo "1..$n"
[ "$failed" -eq 0 ]
