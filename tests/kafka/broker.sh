#!/bin/bash
# broker.sh start DIR [PORT] | stop DIR
#
# One Apache Kafka broker in KRaft mode (a single process that is both
# broker and controller) on loopback, from the jars scripts/bootstrap
# puts in the cache directory.  start formats DIR/data the first time,
# starts the broker on PORT (a free one when not given; a restart in the
# same DIR keeps its port, its controller port and its topics), waits
# until it serves (60 s at most) and prints its bootstrap address,
# 127.0.0.1:PORT.  stop ends it (SIGTERM, a controlled shutdown; SIGKILL
# after 30 s).  The log is DIR/server.log.
#
# The broker writes each message through to its disk (fsync), so that
# what it acknowledged survives whatever the tests do to it; with
# KAFKA_FSYNC=0 it keeps Kafka's default and leaves flushing to the
# system, as the benchmarks' broker does.
set -euo pipefail

cache=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}
jars=$cache/maven/kafka/jars
cmd=${1:?usage: broker.sh start|stop DIR [PORT]}
dir=${2:?usage: broker.sh start|stop DIR [PORT]}
here=$(cd "$(dirname "$0")/../cli/data" && pwd)

free_port() {
	python3 "$here/free-port.py"
}

java_run() {
	java -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
	    -Djava.awt.headless=true \
	    -Dlog4j.configuration="file:$dir/log4j.properties" \
	    -cp "$jars/*" "$@"
}

# The broker's settings: one node, every internal topic with one
# replica, topics made on first use with 3 partitions.
write_config() {
	local port=$1 cport=$2
	cat > "$dir/server.properties" <<-CONF
	process.roles=broker,controller
	node.id=1
	controller.quorum.voters=1@127.0.0.1:$cport
	listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
	advertised.listeners=PLAINTEXT://127.0.0.1:$port
	controller.listener.names=CONTROLLER
	inter.broker.listener.name=PLAINTEXT
	listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
	log.dirs=$dir/data
	num.partitions=3
	auto.create.topics.enable=true
	offsets.topic.replication.factor=1
	offsets.topic.num.partitions=1
	transaction.state.log.replication.factor=1
	transaction.state.log.min.isr=1
	group.initial.rebalance.delay.ms=0
	num.network.threads=2
	num.io.threads=2
	CONF
	[ "${KAFKA_FSYNC:-1}" = 0 ] ||
	    echo log.flush.interval.messages=1 >> "$dir/server.properties"
	cat > "$dir/log4j.properties" <<-CONF
	log4j.rootLogger=INFO, file
	log4j.appender.file=org.apache.log4j.FileAppender
	log4j.appender.file.File=$dir/server.log
	log4j.appender.file.layout=org.apache.log4j.PatternLayout
	log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
	CONF
	echo "$port" > "$dir/port"
}

# A random UUID in Kafka's base64 form; never one starting with "-",
# which the storage tool would take for an option.
cluster_id() {
	python3 -c 'import base64, os
while True:
    id = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not id.startswith("-"):
        print(id)
        break'
}

start() {
	local port pid log_lines
	[ -d "$jars" ] || { echo "broker.sh: no $jars (run scripts/bootstrap)" >&2; exit 1; }
	mkdir -p "$dir"
	if [ -f "$dir/server.properties" ]; then
		port=$(cat "$dir/port")
	else
		port=${3:-$(free_port)}
		write_config "$port" "$(free_port)"
	fi
	if [ ! -f "$dir/data/meta.properties" ]; then
		java_run kafka.tools.StorageTool format -t "$(cluster_id)" \
		    -c "$dir/server.properties" > "$dir/format.log" 2>&1 ||
		    { cat "$dir/format.log" >&2; exit 1; }
	fi
	touch "$dir/server.log"
	log_lines=$(wc -l < "$dir/server.log")
	(exec setsid java -Xms128m -Xmx512m -XX:+UseSerialGC \
	    -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
	    -Dlog4j.configuration="file:$dir/log4j.properties" \
	    -cp "$jars/*" kafka.Kafka "$dir/server.properties") \
	    > "$dir/stdout.log" 2>&1 &
	pid=$!
	echo "$pid" > "$dir/pid"
	for _ in $(seq 240); do
		if tail -n +"$((log_lines + 1))" "$dir/server.log" |
		    grep -q 'Kafka Server started'; then
			echo "127.0.0.1:$port"
			return 0
		fi
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.25
	done
	echo "broker.sh: the broker did not start; the end of its log:" >&2
	tail -20 "$dir/server.log" "$dir/stdout.log" >&2
	stop
	exit 1
}

stop() {
	local pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -TERM "$pid" 2> /dev/null || true
	for _ in $(seq 120); do
		kill -0 "$pid" 2> /dev/null || { rm -f "$dir/pid"; return 0; }
		sleep 0.25
	done
	kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null || true
	rm -f "$dir/pid"
}

case $cmd in
start) start "$@" ;;
stop) stop ;;
*) echo "usage: broker.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
