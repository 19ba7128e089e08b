#!/bin/bash
# s3proxy.sh start DIR [PORT] | stop DIR
#
# S3Proxy on 127.0.0.1 from the jars scripts/bootstrap puts in the cache
# directory, for the tests of sdc-sink's s3 destination: aws-v4
# authorisation (signatures are checked), the identity and credential
# of S3PROXY_IDENTITY and S3PROXY_CREDENTIAL (default "sdc-test-key" and
# "sdc-test-secret"), a filesystem blob store in DIR/blobs, so a restart
# on the same PORT keeps the objects.  start prints the endpoint URL
# once it answers (60 s at most) and leaves its pid in DIR/pid, its
# port in DIR/port; stop ends it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}
jars=$cache/maven/s3proxy/jars
dir=${2:?usage: s3proxy.sh start|stop DIR [PORT]}

configure() {
	local port=$1
	mkdir -p "$dir/blobs"
	cat > "$dir/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v4
s3proxy.identity=${S3PROXY_IDENTITY:-sdc-test-key}
s3proxy.credential=${S3PROXY_CREDENTIAL:-sdc-test-secret}
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$dir/blobs
CONF
	cat > "$dir/logback.xml" <<CONF
<configuration>
  <appender name="file" class="ch.qos.logback.core.FileAppender">
    <file>$dir/s3proxy.log</file>
    <encoder><pattern>%d %level %logger{0} %msg%n</pattern></encoder>
  </appender>
  <logger name="org.gaul.s3proxy.S3ProxyHandler" level="DEBUG"/>
  <root level="WARN"><appender-ref ref="file"/></root>
</configuration>
CONF
}

start() {
	local port=${3:-$(python3 "$here/../cli/data/free-port.py")}
	[ -d "$jars" ] || { echo "s3proxy: no $jars (run scripts/bootstrap)" >&2; exit 1; }
	configure "$port"
	echo "$port" > "$dir/port"
	setsid java -Xmx512m -Dlogback.configurationFile="$dir/logback.xml" \
	    -cp "$jars/*" org.gaul.s3proxy.Main \
	    --properties "$dir/s3proxy.conf" > "$dir/stdout.log" 2>&1 &
	echo $! > "$dir/pid"
	for _ in $(seq 600); do
		if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
			echo "http://127.0.0.1:$port"
			return 0
		fi
		kill -0 "$(cat "$dir/pid")" 2> /dev/null || break
		sleep 0.1
	done
	echo "s3proxy: did not start; the end of its logs:" >&2
	tail -n 20 "$dir/stdout.log" "$dir/s3proxy.log" >&2 || true
	stop
	exit 1
}

stop() {
	local pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2> /dev/null || true
	rm -f "$dir/pid"
}

case $1 in
start) start "$@" ;;
stop) stop ;;
*) echo "usage: s3proxy.sh start|stop DIR [PORT]" >&2; exit 2 ;;
esac
