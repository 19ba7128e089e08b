# Helpers of the sdc-ingest-http-*.test cases, sourced by their command:
#   serve ARGS...   start "sdc-ingest http --listen 127.0.0.1:0 ARGS" in the
#                   background, records to $T/out, messages to $T/err; wait
#                   until it listens and set $URL (http://127.0.0.1:PORT)
#   code CURL-ARGS  run curl, print the status it got ("000": none)
#   stop            SIGTERM the server, print its exit status
#   records         the records of $T/out as JSON lines: id, attributes
#                   (the port and time replaced by checks) and value
# Every step is bounded in time.
SDC_PID=
serve() {
	local port= i
	OUT=${OUT:-$T/out}
	: > "$T/err"
	sdc-ingest http --listen 127.0.0.1:0 "$@" > "$OUT" 2> "$T/err" &
	SDC_PID=$!
	for i in $(seq 100); do
		port=$(sed -n 's/.*http: listening on .*:\([0-9]*\)$/\1/p' \
		    "$T/err")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "no listening line"; cat "$T/err"; return 1; }
	URL=${SCHEME:-http}://${HOST:-127.0.0.1}:$port
}
code() {
	timeout 20 curl -s -o /dev/null -w '%{http_code}\n' "$@"
}
stop() {
	local status
	kill -TERM "$SDC_PID"
	timeout 20 tail --pid="$SDC_PID" -f /dev/null
	wait "$SDC_PID"
	status=$?
	echo "status $status"
	grep -v 'http: listening on' "$T/err" >&2
	return 0
}
records() {
	sdc-convert --to json --typed < "${1:-$T/out}" | jq -c '
	    (.attributes // {}) as $a |
	    [(.id // "" | sub(":[0-9]+#"; ":PORT#")),
	     ($a | if .remotePort then .remotePort |= test("^[0-9]+$")
		else . end
		| if .receivedAt then .receivedAt |= (tonumber > 1.7e12)
		else . end),
	     .value]'
}
# flood N PARALLEL PATH SIZE: N bodies "body-I" padded to SIZE bytes, PARALLEL
# curls at once; one line per body: its status and Retry-After, whether
# $T/reading existed when the answer came ("after") or not ("before"), I.
flood() {
	seq "$1" | timeout 60 xargs -P "$2" -I{} sh -c '
	    c=$(printf "%-$2s" "body-{}" | curl -s -o /dev/null \
		-w "%{http_code}/%header{retry-after}" \
		--data-binary @- "$0/{}")
	    [ -e "$1/reading" ] && echo "$c after {}" || echo "$c before {}"' \
	    "$URL$3" "$T" "$4"
}
