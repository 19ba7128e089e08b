#!/bin/bash
# sdc-sink's http destination against tests/sink/http-server.py, a small
# Python http.server started and stopped here that plays a mobile app's
# push backend (a made-up service: there is no real one to test
# against).  The server logs every request (method, path, headers,
# body) and fails on demand; each case is bounded in time.  Prints TAP.
# Environment: top_srcdir, top_builddir.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
server_py=$srcdir/tests/sink/http-server.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-http-sink.XXXXXX")
spid= kpid=
trap '[ -n "$spid" ] && kill -9 $spid 2> /dev/null
    [ -n "$kpid" ] && kill -9 $kpid 2> /dev/null; rm -rf "$tmp"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset SDC_HTTP_TOKEN SDC_HTTP_PASSWORD SDC_TLS_KEY_PASSWORD
if ! command -v jq > /dev/null || ! command -v openssl > /dev/null; then
	echo "1..0 # SKIP no jq or openssl (scripts/bootstrap installs them)"
	exit 0
fi
cases=28
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
# serve ARGS...: the server in the background, logging to $tmp/log,
# its port in $port and its base URL in $url.
serve() {
	local i
	rm -f "$tmp/port" "$tmp/log"
	python3 "$server_py" --port-file "$tmp/port" \
	    --log "$tmp/log" "$@" 2> "$tmp/server.err" &
	spid=$!
	for i in $(seq 600); do
		[ -s "$tmp/port" ] && break
		kill -0 $spid 2> /dev/null || break
		sleep 0.1
	done
	if [ ! -s "$tmp/port" ]; then
		echo "# the server did not start in 60 s (arguments: $*):"
		sed 's/^/# /' "$tmp/server.err"
	fi
	port=$(cat "$tmp/port" 2> /dev/null)
	url=http://127.0.0.1:$port
}
unserve() {
	kill $spid 2> /dev/null
	wait $spid 2> /dev/null
	spid=
}
# records N [MARKED...]: N json records {"n":i,"app":...}, as a stream;
# the records numbered MARKED carry "BAD".
records() {
	local count=$1
	shift
	python3 -c '
import json, sys
count, marked = int(sys.argv[1]), set(map(int, sys.argv[2:]))
for i in range(1, count + 1):
    app = "BAD" if i in marked else ("a" if i % 2 else "b")
    print(json.dumps({"n": i, "app": app, "title": "promo %d" % i}))
' "$count" "$@" | sdc-convert --from json
}
# sink ARGS...: sdc-sink http on $tmp/in, errors in $tmp/out (as JSON).
sink() {
	timeout 60 sdc-sink http --metrics "$tmp/m.json" "$@" < "$tmp/in" \
	    > "$tmp/out.sdc" 2> "$tmp/err"
	status=$?
	sdc-convert --to json < "$tmp/out.sdc" > "$tmp/out" 2> /dev/null
}
# the n of every record the server answered 2xx, sorted, one a line
delivered_ns() {
	jq -r 'select(.status < 300) | .body' "$tmp/log" |
	    jq -r '.n? // .[]?.n' | sort -n
}
metric() {
	jq -r ".$1" "$tmp/m.json"
}
echo "1..$cases"

records 7 > "$tmp/in"
serve
sink --url "$url/push" -F json --batch-records 3
check "batches of --batch-records: 3 POSTs of 3, 3 and 1 records, in order" \
    "$status $(jq -r '"\(.method) \(.path) \(.headers["content-type"]) \(.body | split("\n") | length - 1)"' "$tmp/log" | tr '\n' ,)" \
    "0 POST /push application/json 3,POST /push application/json 3,POST /push application/json 1,"
check "every record delivered once, byte for byte, none failed" \
    "$(jq -r 'select(.status < 300) | .body' "$tmp/log" | tr -d '\n' | md5sum) $(metric delivered) $(metric failed) $(wc -c < "$tmp/out")" \
    "$(sdc-convert --to json < "$tmp/in" | tr -d '\n' | md5sum) 7 0 0"

sink --url "$url/v1/promotions" -F json --json-mode array --method PUT \
    --http-header 'X-App-Key: promo-app' --http-header 'X-Batch: yes' \
    --content-type 'application/vnd.push+json'
check "PUT of a JSON array with --http-header and --content-type" \
    "$status $(tail -n 1 "$tmp/log" | jq -r '"\(.method) \(.headers["x-app-key"]) \(.headers["x-batch"]) \(.headers["content-type"]) \(.body | fromjson | map(.n) | join(" "))"')" \
    "0 PUT promo-app yes application/vnd.push+json 1 2 3 4 5 6 7"

: > "$tmp/log"
sink --url "$url/push/\${/app}?v=1" -F json
check "a URL template: a batch for each URL its records expand to" \
    "$(jq -r '"\(.path)=\(.body | split("\n") | map(select(. != "") | fromjson | .n) | join(" "))"' "$tmp/log" | sort | tr '\n' ,)" \
    "/push/a?v=1=1 3 5 7,/push/b?v=1=2 4 6,"

: > "$tmp/log"
printf '{"app":"../../admin"}\n{"app":".."}\n{"app":"caf\\u00e9 \\"x\\"\\r\\n"}\n' |
    sdc-convert --from json |
    timeout 60 sdc-sink http --url "$url/push/\${/app}/send" -F json > /dev/null
check "hostile field values in the URL: no way out of the path, escaped bytes" \
    "$(jq -r .path "$tmp/log" | sort | tr '\n' ' ')" \
    "/push/.._.._admin/send /push/_/send /push/caf%C3%A9%20%22x%22__/send "
records 7 > "$tmp/in"

: > "$tmp/log"
sink --url "$url/push" -F json --compression gzip --batch-bytes 60
check "--compression gzip: Content-Encoding gzip, bodies the server gunzips; --batch-bytes" \
    "$status $(jq -r '"\(.gzip)/\(.headers["content-encoding"])"' "$tmp/log" | sort -u | tr '\n' ' ')$(delivered_ns | tr '\n' ' ')$(jq -s length "$tmp/log")" \
    "0 true/gzip 1 2 3 4 5 6 7 4"
unserve

records 3000 > "$tmp/in"
serve
sink --url "$url/push" -F json --json-mode array --max-buffer 64K \
    --batch-records 100000 --batch-bytes 100M
check "--max-buffer: batches held together past it are sent, JSON arrays whole" \
    "$status $(jq -s 'length > 3' "$tmp/log") $(jq -r '.body | fromjson | .[].n' "$tmp/log" | sort -n | uniq | wc -l) $(metric delivered)" \
    "0 true 3000 3000"
records 7 > "$tmp/in"
unserve

printf 'sesame\n' > "$tmp/password"
serve --basic promo-pusher:sesame
sink --url "$url/push" -F json --user promo-pusher --password-file "$tmp/password"
check "basic authentication, the password from --password-file" \
    "$status $(jq -r '"\(.status) \(.headers.authorization)"' "$tmp/log" | sort -u)" \
    "0 200 Basic $(printf promo-pusher:sesame | base64)"
: > "$tmp/log"
SDC_HTTP_PASSWORD=wrong sink --url "$url/push" -F json --user promo-pusher \
    --retry-attempts 2 --retry-initial 10ms
check "a wrong password (\$SDC_HTTP_PASSWORD): 401 retried, then every record fails with it" \
    "$status $(jq -s length "$tmp/log") $(jq -r '.["@error"] | "\(.code) \(.message)"' "$tmp/out" | sed 's/over [0-9.]* s/over T s/' | sort -u) $(jq -s length "$tmp/out") $(metric retried)" \
    "0 2 HTTP_UNDELIVERED $url/push: after 2 attempts over T s: 401 Unauthorized 7 1"
check "the password never in the command line's help or messages" \
    "$(grep -c sesame "$tmp/err")" "0"
unserve

printf 'right-token\n' > "$tmp/token"
printf 'stale-token\n' > "$tmp/sink-token"
serve --bearer-file "$tmp/token"
timeout 60 sdc-sink http --url "$url/push" -F json \
    --bearer-token-file "$tmp/sink-token" --retry-initial 50ms \
    --retry-max 200ms --metrics "$tmp/m.json" < "$tmp/in" \
    > "$tmp/out.sdc" 2> "$tmp/err" &
kpid=$!
python3 "$srcdir/tests/cli/data/wait-log.py" "$tmp/log" '"status": 401' 2
printf 'right-token\n' > "$tmp/sink-token"
wait $kpid
status=$?
kpid=
check "a bearer token wrong, then right: read again from its file, nothing lost" \
    "$status $(jq -r '"\(.status) \(.headers.authorization)"' "$tmp/log" | sort -u | tr '\n' ,) $(delivered_ns | tr '\n' ' ')$(metric failed)" \
    "0 200 Bearer right-token,401 Bearer stale-token, 1 2 3 4 5 6 7 0"
: > "$tmp/log"
SDC_HTTP_TOKEN=right-token sink --url "$url/push" -F json
check "the bearer token from \$SDC_HTTP_TOKEN" \
    "$status $(jq -r '"\(.status) \(.headers.authorization)"' "$tmp/log" | sort -u)" \
    "0 200 Bearer right-token"
SDC_HTTP_TOKEN=right-token sink --url "$url/push" --check
check "--check: an OPTIONS with the credentials, nothing sent" \
    "$status $(tail -n 1 "$tmp/log" | jq -r '"\(.method) \(.status) \(.body)"') $(grep -c reachable "$tmp/err")" \
    "0 OPTIONS 200  1"
sink --url "$url/push" --check --bearer-token-file "$tmp/password"
check "--check with a token refused: status 3, said so" \
    "$status $(grep -c 'credentials refused' "$tmp/err")" "3 1"
unserve
sink --url "$url/push" --check
check "--check with nothing listening: status 3" \
    "$status $(grep -c "Couldn't connect" "$tmp/err")" "3 1"

serve --fail 2:503:1
start=$(date +%s.%N)
sink --url "$url/push" -F json --retry-initial 10ms
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print (e - s >= 2) }')
check "503 with Retry-After: 1 twice: retried after the wait asked, then delivered" \
    "$status $elapsed $(jq -r .status "$tmp/log" | tr '\n' ' ')$(metric retried) $(metric delivered)" \
    "0 1 503 503 200 2 7"
unserve

serve --fail "1:429:$(date -u -d '+3 seconds' '+%a, %d %b %Y %H:%M:%S GMT')" --fail 1:500 --fail 1:408
start=$(date +%s.%N)
sink --url "$url/push" -F json --retry-initial 10ms --retry-max 20ms
elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { print (e - s >= 1.5) }')
check "429 with a Retry-After date, 500, 408: each retried, then delivered" \
    "$status $elapsed $(jq -r .status "$tmp/log" | tr '\n' ' ')$(delivered_ns | tr '\n' ' ')" \
    "0 1 429 500 408 200 1 2 3 4 5 6 7 "
unserve

serve --fail 10:503
sink --url "$url/push" -F json --retry-attempts 3 --retry-initial 10ms
check "retries given up after --retry-attempts: every record an error record with the reason" \
    "$status $(jq -s length "$tmp/log") $(jq -r '.["@error"] | "\(.code) \(.id) \(.record.n) \(.message | sub("over [0-9.]+ s"; "over T s"))"' "$tmp/out" | tr '\n' ,)" \
    "0 3 $(for i in 1 2 3 4 5 6 7; do printf 'HTTP_UNDELIVERED stdin:%d %d %s/push: after 3 attempts over T s: 503 Service Unavailable,' $i $i "$url"; done)"
check "metrics: failed 7, delivered 0, retried 2" \
    "$(metric failed) $(metric delivered) $(metric retried)" "7 0 2"
unserve

serve --fail 100:503
sdc-sink http --url "$url/push" -F json --metrics "$tmp/m.json" \
    < "$tmp/in" > "$tmp/out.sdc" 2> "$tmp/err" &
kpid=$!
python3 "$srcdir/tests/cli/data/wait-log.py" "$tmp/log" '"status": 503' 2
kill -TERM $kpid
(sleep 20; kill -9 $kpid 2> /dev/null) &
watchdog=$!
wait $kpid
status=$?
kill $watchdog
kpid=
sdc-convert --to json < "$tmp/out.sdc" > "$tmp/out"
check "SIGTERM while retrying: no more waits, every record an error record" \
    "$status $(jq -r '.["@error"] | "\(.code) \(.message)"' "$tmp/out" | sort | uniq -c | tr -s ' ') $(metric failed) $(metric undelivered)" \
    "0  7 HTTP_UNDELIVERED $url/push: stopped while retrying: 503 Service Unavailable 7 0"
unserve

serve --delay 2
sink --url "$url/push" -F json --timeout 300ms --retry-attempts 2 \
    --retry-initial 10ms
check "--timeout: a server too slow to answer, retried, then every record fails" \
    "$status $(jq -s length "$tmp/log") $(jq -r '.["@error"] | "\(.code) \(.message | sub("over [0-9.]+ s"; "over T s") | sub("after [0-9]+ milliseconds.*"; "after"))"' "$tmp/out" | sort | uniq -c | tr -s ' ')" \
    "0 2  7 HTTP_UNDELIVERED $url/push: after 2 attempts over T s: Operation timed out after"
unserve

records 6 2 5 > "$tmp/in"
serve --reject BAD
sink --url "$url/push" -F json
check "a 400: the batch sent again a record a request, the refused records fail field by field" \
    "$status $(jq -c '.["@error"] | [.code, .id, .record.n, .record.app, .message]' "$tmp/out" | tr '\n' ,)" \
    "0 [\"HTTP_REFUSED\",\"stdin:2\",2,\"BAD\",\"$url/push: 400 Bad Request: rejected: the body holds BAD\"],[\"HTTP_REFUSED\",\"stdin:5\",5,\"BAD\",\"$url/push: 400 Bad Request: rejected: the body holds BAD\"],"
check "... the others delivered once: requests, records delivered and failed" \
    "$(jq -r .status "$tmp/log" | tr '\n' ' ')$(delivered_ns | tr '\n' ' ')$(metric delivered) $(metric failed)" \
    "400 200 400 200 200 400 200 1 3 4 6 4 2"
: > "$tmp/log"
sink --url "$url/push" -F json --no-split-on-4xx
check "--no-split-on-4xx: every record of the refused batch fails" \
    "$status $(jq -s length "$tmp/log") $(jq -r '.["@error"].id' "$tmp/out" | tr '\n' ' ')" \
    "0 1 stdin:1 stdin:2 stdin:3 stdin:4 stdin:5 stdin:6 "
unserve

records 7 > "$tmp/in"
bash "$srcdir/tests/tls/make-certs.sh" "$tmp/tls"
printf 'sesame\n' > "$tmp/keypass"
serve --tls-cert "$tmp/tls/server.pem" --tls-key "$tmp/tls/server.key" \
    --tls-client-ca "$tmp/tls/ca.pem"
url=https://localhost:$port
sink --url "$url/push" -F json --tls-ca "$tmp/tls/ca.pem" \
    --tls-cert "$tmp/tls/client.pem" --tls-key "$tmp/tls/client-pass.key" \
    --tls-key-password-file "$tmp/keypass"
check "TLS: the server checked, a client certificate with an encrypted key" \
    "$status $(jq -r '"\(.status) \(.peer_cn)"' "$tmp/log" | sort -u) $(delivered_ns | tr '\n' ' ')" \
    "0 200 sensor-gateway 1 2 3 4 5 6 7 "
: > "$tmp/log"
sink --url "$url/push" -F json --tls-cert "$tmp/tls/client.pem" \
    --tls-key "$tmp/tls/client.key" --retry-attempts 1
check "TLS: a server certificate no CA vouches for: nothing sent, every record fails" \
    "$status $(jq -s length "$tmp/log") $(jq -r '.["@error"].code' "$tmp/out" | sort | uniq -c | tr -s ' ') $(jq -r '.["@error"].message' "$tmp/out" | grep -c 'certificate')" \
    "0 0  7 HTTP_UNDELIVERED 7"
SDC_TLS_KEY_PASSWORD=wrong sink --url "$url/push" -F json \
    --tls-ca "$tmp/tls/ca.pem" --tls-cert "$tmp/tls/client.pem" \
    --tls-key "$tmp/tls/client-pass.key"
check "TLS: a wrong key passphrase ends the program before anything is read" \
    "$status $(jq -s length "$tmp/log")" "3 0"
unserve

records 3000 > "$tmp/in"
serve --delay 0.03
port1=$port
timeout 90 sdc-sink http --url "http://127.0.0.1:$port/push" -F json \
    --batch-records 40 --retry-initial 50ms --retry-max 300ms \
    --metrics "$tmp/m.json" < "$tmp/in" > "$tmp/out.sdc" 2> "$tmp/err" &
kpid=$!
for i in $(seq 200); do
	[ "$(grep -c '"status": 200' "$tmp/log" 2> /dev/null)" -ge 20 ] && break
	sleep 0.05
done
kill -9 $spid
wait $spid 2> /dev/null
sleep 1
python3 "$server_py" --port "$port1" --log "$tmp/log" \
    --delay 0.01 2> "$tmp/server.err" &
spid=$!
wait $kpid
status=$?
kpid=
check "the server killed and restarted mid-run: zero records lost (counted by the server)" \
    "$status $(delivered_ns | uniq | wc -l) $(delivered_ns | uniq | head -n 1) $(delivered_ns | uniq | tail -n 1) $(metric delivered) $(metric failed)" \
    "0 3000 1 3000 3000 0"
echo "# $(metric retried) retries, $(delivered_ns | wc -l) records received for 3000 sent"
unserve

exit $failed
