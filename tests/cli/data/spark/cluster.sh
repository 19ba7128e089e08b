# Helpers of the cluster-mode cases, tests/spark/cluster-*.test, sourced by
# their command lines (which run in tests/cli/data, with $T their own
# directory).
#
# start_service ARGS...  runs `sdc-spark-eval --listen 127.0.0.1:0 ARGS...`
#     in the background, standard output in $T/service.out, standard error
#     in $T/service.err.  Port 0 lets the system pick a free port; the
#     service says which once Spark is up ("listening on 127.0.0.1:PORT"),
#     and start_service waits for that line (45 s at most) and sets $port.
#     An EXIT trap stops the service if the case ends first.
# stop_service  sends it SIGTERM, waits, and sets $service_status.
# records P N  prints N JSON records {"p":P,"n":1} ... {"p":P,"n":N}.

start_service() {
	: > "$T/service.out"
	: > "$T/service.err"	# before the job does, for the loop below
	sdc-spark-eval --listen 127.0.0.1:0 "$@" > "$T/service.out" \
	    2> "$T/service.err" &
	service_pid=$!
	trap 'kill -TERM $service_pid 2> /dev/null; wait $service_pid' EXIT
	for _ in $(seq 450); do
		port=$(sed -n 's/^sdc-spark-eval: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
		    "$T/service.err")
		[ -n "$port" ] && return 0
		kill -0 "$service_pid" 2> /dev/null || break
		sleep 0.1
	done
	echo "the service did not start:" >&2
	cat "$T/service.err" >&2
	return 1
}

stop_service() {
	kill -TERM "$service_pid"
	wait "$service_pid"
	service_status=$?
	trap - EXIT
}

records() {
	local i

	for i in $(seq "$2"); do
		printf '{"p":%d,"n":%d}\n' "$1" "$i"
	done
}

# wait_for FILE TEXT: until FILE holds TEXT (30 s at most).
wait_for() {
	local _

	for _ in $(seq 300); do
		grep -qs -- "$2" "$1" && return 0
		sleep 0.1
	done
	echo "no '$2' in $1" >&2
	return 1
}
