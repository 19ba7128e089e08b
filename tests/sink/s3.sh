#!/bin/bash
# sdc-sink's s3 destination against S3Proxy (tests/s3/s3proxy.sh, from
# scripts/bootstrap's jars) on loopback, its aws-v4 authorisation
# checking every signature: objects small and multipart read back and
# compared byte for byte, rolling, a wrong secret failing and then
# corrected, hostile key fields, SIGTERM mid-upload, a server restart
# mid-run with every record counted in the server's blob store, the
# credentials of a profile and of instance metadata (a Python stand-in,
# tests/s3/imds.py, as no real IMDS is here).  Each case is bounded in
# time.  Prints TAP.  Environment: top_srcdir, top_builddir.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
here=$srcdir/tests/s3
cache=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}
cases=39
if [ ! -d "$cache/maven/s3proxy/jars" ] || ! command -v java > /dev/null; then
	echo "1..0 # SKIP no S3Proxy jars or java (run scripts/bootstrap)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-s3.XXXXXX")
imds_pid= feed_pid= faults_pid=
cleanup() {
	"$here/s3proxy.sh" stop "$tmp/server" 2> /dev/null
	[ -n "$imds_pid" ] && kill "$imds_pid" 2> /dev/null
	[ -n "$feed_pid" ] && kill "$feed_pid" 2> /dev/null
	[ -n "$faults_pid" ] && kill "$faults_pid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export S3PROXY_IDENTITY=sdc-test-key S3PROXY_CREDENTIAL=sdc-test-secret
export AWS_ACCESS_KEY_ID=sdc-test-key AWS_SECRET_ACCESS_KEY=sdc-test-secret
export SDC_CACHE_DIR=$cache AWS_EC2_METADATA_DISABLED=true HOME=$tmp
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_REGION
mkdir -p "$tmp/server" "$tmp/spool"
export TMPDIR=$tmp/spool

n=0 failed=0
check() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n - $1"
	else
		failed=1
		echo "not ok $n - $1"
		printf '# want: %s\n# got:  %s\n' "$3" "$2"
		return 1
	fi
}
# s3curl METHOD PATH [curl args]: a request signed by curl, which needs
# the x-amz-content-sha256 header given to it.
s3curl() {
	local method=$1 path=$2
	shift 2
	timeout 20 curl -s -X "$method" --aws-sigv4 aws:amz:us-east-1:s3 \
	    --user sdc-test-key:sdc-test-secret \
	    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@" "$url$path"
}
sink() {
	timeout 60 sdc-sink s3 --endpoint "$url" "$@"
}
# What the server got, from its request log: "METHOD /path?query" lines.
requests() {
	sed -n 's/.*S3ProxyHandler request: Request(\([A-Z]*\) http:\/\/[^/]*\([^)]*\)).*/\1 \2/p' \
	    "$tmp/server/s3proxy.log"
}
events() {
	sdc-convert --to json < "$1" | jq -c 'select(."@event") | ."@event".record'
}
errors() {
	sdc-convert --to json < "$1" | jq -r 'select(."@error") | ."@error".code' | sort | uniq -c | tr -s ' ' | sed 's/^ //'
}
blobs() {
	echo "$tmp/server/blobs/bkt/$1"
}
lines_in() {
	if [ -d "$(blobs "$1")" ]; then
		find "$(blobs "$1")" -type f -exec cat {} + | wc -l
	else
		echo 0
	fi
}
echo "1..$cases"

url=$("$here/s3proxy.sh" start "$tmp/server") || exit 1
port=$(cat "$tmp/server/port")
s3curl PUT /bkt -o /dev/null

# records: the sightings, and 100,000 records of 12 MB rendered in JSON.
sdc-convert --from csv "$srcdir/sample/sightings.csv" > "$tmp/small.sdc"
python3 -c '
import json
for i in range(100000):
    print(json.dumps({"n": i, "zone": "z%d" % (i % 3), "pad": "x" * 90},
        separators=(",", ":")))' | sdc-convert --from json > "$tmp/big.sdc"
sdc-convert --to json < "$tmp/small.sdc" > "$tmp/small.json"
sdc-convert --to json < "$tmp/big.sdc" > "$tmp/big.json"

sink --bucket bkt --check > /dev/null 2> "$tmp/err"
check "--check lists the bucket and says it is empty" \
    "$? $(grep -c 'bucket bkt at .* listed with credentials from the environment: it is empty' "$tmp/err")" "0 1"
sink --bucket nosuchbucket --check > /dev/null 2> "$tmp/err"
check "--check of a missing bucket: status 3 and why" \
    "$? $(grep -c 'cannot list bucket nosuchbucket: .*404 NoSuchBucket' "$tmp/err")" "3 1"

sink --bucket bkt --key 'small/all.json' --format json \
    < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "a small object: status 0, one object-written event, field by field" \
    "$? $(events "$tmp/out")" \
    "0 {\"bucket\":\"bkt\",\"key\":\"small/all.json\",\"length\":$(wc -c < "$tmp/small.json"),\"records\":200}"
s3curl GET /bkt/small/all.json -o "$tmp/got"
check "the object read back is the records rendered, byte for byte" \
    "$(cmp "$tmp/got" "$tmp/small.json" && echo same)" "same"
check "a small object is one PUT" \
    "$(requests | grep -c '^PUT /bkt/small/all.json$')" "1"

sink --bucket bkt --key 'big/part-${uuid}.json' --format json \
    --part-size 5M --spool-dir "$tmp/spool" < "$tmp/big.sdc" > "$tmp/out" 2> "$tmp/err"
key=$(events "$tmp/out" | jq -r .key)
check "12 MB with --part-size 5M: one event of 100000 records" \
    "$? $(events "$tmp/out" | jq -c '[.records, .length]')" \
    "0 [100000,$(wc -c < "$tmp/big.json")]"
s3curl GET "/bkt/$key" -o "$tmp/got"
check "the multipart object read back is the records, byte for byte" \
    "$(cmp "$tmp/got" "$tmp/big.json" && echo same)" "same"
check "the server got initiate, 3 parts and complete" \
    "$(requests | grep -c "^[A-Z]* /bkt/$key?" | tr -d ' ') $(requests | grep "^[A-Z]* /bkt/$key?" | sed 's/uploadId=[^&]*/ID/; s/part-[^?]*//' | tr '\n' ' ')" \
    "5 POST /bkt/big/?uploads= PUT /bkt/big/?partNumber=1&ID PUT /bkt/big/?partNumber=2&ID PUT /bkt/big/?partNumber=3&ID POST /bkt/big/?ID "
check "no part file is left in the spool" "$(ls -A "$tmp/spool" | wc -l)" "0"

sink --bucket bkt --key 'roll/%Y/part-${seq}-${uuid}.json' --format json \
    --max-records 50 < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "--max-records 50: 4 objects of 50 records, 4 events" \
    "$? $(find "$(blobs roll)" -type f -exec sh -c 'wc -l < "$1"' _ {} \; | tr '\n' ' ')$(events "$tmp/out" | jq -r .records | tr '\n' ' ')" \
    "0 50 50 50 50 50 50 50 50 "

{ cat "$tmp/small.sdc"; sleep 3; } | sink --bucket bkt --format json \
    --key 'age/part-${uuid}.json' --max-age 1 > "$tmp/out" 2> "$tmp/err" &
pid=$!
sleep 2.2
early="$(lines_in age) $(kill -0 $pid 2> /dev/null && echo running)"
wait $pid
check "--max-age 1: the object is written while the input is still open" \
    "$early $(lines_in age)" "200 running 200"

AWS_SECRET_ACCESS_KEY=wrong sink --bucket bkt --key 'wrong/all.json' \
    --format json --retry-attempts 3 --retry-initial 0.05 \
    < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "a wrong secret: retried, then 200 error records saying why" \
    "$(errors "$tmp/out") $(sdc-convert --to json < "$tmp/out" | jq -r 'select(."@error") | ."@error".message' | grep -c 'after 3 attempts .*403 SignatureDoesNotMatch')" \
    "200 S3_UPLOAD 200"
check "a wrong secret: nothing written, no event" \
    "$(lines_in wrong) $(events "$tmp/out" | wc -l)" "0 0"
check "the error records carry each record's own bytes" \
    "$(sdc-convert --to json < "$tmp/out" | jq -r 'select(."@error") | ."@error".record' | head -1 | base64 -d)" \
    "$(head -1 "$tmp/small.json")"

printf '[default]\naws_access_key_id = sdc-test-key\naws_secret_access_key = wrong\n' \
    > "$tmp/credentials"
AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials AWS_ACCESS_KEY_ID= \
    sink --bucket bkt --key 'fixed/all.json' --format json \
    --retry-initial 0.2 --retry-max 0.5 --retry-attempts 60 \
    < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err" &
pid=$!
sleep 1.5
printf '[default]\naws_access_key_id = sdc-test-key\naws_secret_access_key = sdc-test-secret\n' \
    > "$tmp/credentials.new"
mv "$tmp/credentials.new" "$tmp/credentials"
wait $pid
check "the credentials file corrected mid-run: read again, all delivered" \
    "$? $(lines_in fixed) $(errors "$tmp/out" | wc -l) $(grep -c 'SignatureDoesNotMatch: Forbidden; retrying' "$tmp/err")" \
    "0 200 0 1"
AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials AWS_ACCESS_KEY_ID= \
    sink --bucket bkt --check 2>&1 > /dev/null | grep -c 'credentials from profile "default" of' > "$tmp/c"
check "and a second run with the corrected file works from the start" \
    "$(cat "$tmp/c")" "1"

python3 -c '
import json
for z in ["../../etc", "a/b", "..", "", "é ü?#%&=+\\"]:
    print(json.dumps({"zone": z}))' | sdc-convert --from json |
    sink --bucket bkt --key 'h/${/zone}/x-${uuid}.json' --format json \
    > "$tmp/out" 2> "$tmp/err"
check "hostile zones: status 0, 5 records delivered" \
    "$? $(events "$tmp/out" | jq -s 'map(.records) | add')" "0 5"
check "hostile zones: every key stays under h/, one level down" \
    "$(find "$tmp/server/blobs" -type f | grep -vc "^$tmp/server/blobs/bkt/[a-z]*/") $(events "$tmp/out" | jq -r .key | sed 's|/x-.*||' | sort | tr '\n' ' ')" \
    "0 h/.._.._etc h/_ h/a_b h/é ü?#%&=+_ "
check "hostile zones: the server has the objects the events name" \
    "$(find "$(blobs h)" -type f | wc -l) $(find "$(blobs h)" -mindepth 2 -maxdepth 2 -type f | wc -l)" "4 4"

python3 "$here/trickle.py" "$tmp/big.sdc" 200000 0.1 |
    sdc-sink s3 --endpoint "$url" --bucket bkt --key 'term/part-${uuid}.json' \
    --format json --part-size 5M > "$tmp/out" 2> "$tmp/err" &
pid=$!
sleep 3
kill -TERM $pid
wait $pid
status=$?
delivered=$(events "$tmp/out" | jq -s 'map(.records) | add // 0')
check "SIGTERM mid-upload: status 0, no record undelivered" \
    "$status $(grep -c 'not delivered' "$tmp/err")" "0 0"
check "SIGTERM: the objects hold whole records, as many as the events say" \
    "$(lines_in term) $(find "$(blobs term)" -type f -exec cat {} + | jq -c . 2> /dev/null | wc -l)" \
    "$delivered $delivered"
check "SIGTERM: some records came and went (between 1 and 99999)" \
    "$([ "$delivered" -gt 0 ] && [ "$delivered" -lt 100000 ] && echo yes)" "yes"
started=$(requests | grep -c '^POST /bkt/term/.*?uploads=$')
ended=$(requests | grep -c '^\(POST\|DELETE\) /bkt/term/.*?uploadId=')
check "SIGTERM: every upload begun was completed or aborted" \
    "$started" "$ended"
check "SIGTERM: no part file left in the spool" "$(ls -A "$tmp/spool" | wc -l)" "0"

python3 "$here/trickle.py" "$tmp/big.sdc" 300000 0.1 |
    sdc-sink s3 --endpoint "$url" --bucket bkt --key 'restart/part-${uuid}.json' \
    --format json --max-records 10000 --retry-initial 0.2 --retry-max 1 \
    > "$tmp/out" 2> "$tmp/err" &
pid=$!
sleep 1.5
"$here/s3proxy.sh" stop "$tmp/server"
sleep 2
"$here/s3proxy.sh" start "$tmp/server" "$port" > /dev/null
timeout 60 tail --pid=$pid -f /dev/null
wait $pid
check "a server restart mid-run: status 0, retried, no error record" \
    "$? $(grep -c 'retrying' "$tmp/err" | sed 's/[1-9][0-9]*/some/') $(errors "$tmp/out" | wc -l)" "0 some 0"
for key in $(events "$tmp/out" | jq -r .key); do
	s3curl GET "/bkt/$key"
done > "$tmp/got"
check "a server restart mid-run: all 100000 records are on the server" \
    "$(wc -l < "$tmp/got") $(sort -u "$tmp/got" | wc -l)" "100000 100000"

printf '[default]\naws_access_key_id = sdc-test-key\naws_secret_access_key = wrong\n[writer]\naws_access_key_id = sdc-test-key\naws_secret_access_key = sdc-test-secret\n' \
    > "$tmp/profiles"
AWS_SHARED_CREDENTIALS_FILE=$tmp/profiles AWS_PROFILE=writer \
    sink --bucket bkt --check > /dev/null 2> "$tmp/err"
check "AWS_PROFILE picks a profile of the credentials file" \
    "$? $(grep -c 'credentials from profile "writer"' "$tmp/err")" "0 1" ||
    sed 's/^/# /' "$tmp/err"
AWS_SHARED_CREDENTIALS_FILE=$tmp/profiles sink --bucket bkt --check \
    --profile default > /dev/null 2> "$tmp/err"
check "--profile default, whose secret is wrong: --check fails, status 3" \
    "$? $(grep -c '403 SignatureDoesNotMatch' "$tmp/err")" "3 1"

python3 "$here/imds.py" "$tmp/imds-port" sdc-role sdc-test-key \
    sdc-test-secret 2> "$tmp/imds.log" &
imds_pid=$!
for _ in $(seq 100); do [ -s "$tmp/imds-port" ] && break; sleep 0.1; done
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_EC2_METADATA_DISABLED \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$(cat "$tmp/imds-port")" \
    timeout 60 sdc-sink s3 --endpoint "$url" --bucket bkt --key imds/all.json \
    --format json < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "instance metadata (IMDSv2 stand-in): a token, the role, its keys" \
    "$? $(lines_in imds) $(grep -o '"[A-Z]* /latest/[^ ]*' "$tmp/imds.log" | tr '\n' ' ')" \
    "0 200 \"PUT /latest/api/token \"GET /latest/meta-data/iam/security-credentials/ \"GET /latest/meta-data/iam/security-credentials/sdc-role "
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED
    sink --bucket bkt --check > /dev/null 2> "$tmp/err")
check "no credentials anywhere: status 3, each source named, IMDS unasked" \
    "$? $(grep -c 'no AWS credentials: none in the environment .*credentials: No such file or directory, and the instance metadata service: not asked' "$tmp/err")" "3 1"

sink --bucket bkt --key 'class/all.json' --format json \
    --storage-class STANDARD_IA --content-type application/x-ndjson \
    < "$tmp/small.sdc" > /dev/null 2> "$tmp/err"
check "--storage-class and --content-type are sent with the object" \
    "$? $(s3curl HEAD /bkt/class/all.json -I | tr -d '\r' | grep -i -E '^(content-type|x-amz-storage-class):' | sort | tr '\n' ' ')" \
    "0 Content-Type: application/x-ndjson x-amz-storage-class: STANDARD_IA "
sink --bucket bkt --key 'sse/all.json' --format json --sse aws:kms \
    --sse-kms-key-id sdc-key < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "--sse is sent: S3Proxy has no SSE, 501, failed at once, no retry" \
    "$(errors "$tmp/out") $(grep -c 'sse/all.json: 501 NotImplemented' "$tmp/err") $(grep -c retrying "$tmp/err") $(requests | grep -c '^PUT /bkt/sse/all.json$')" \
    "200 S3_UPLOAD 1 0 1"
sdc-sink s3 --bucket bkt --part-size 1M --check > /dev/null 2> "$tmp/err"
check "--part-size below 5M is a usage error" \
    "$? $(grep -c 'parts are 5M to 5G' "$tmp/err")" "2 1"

# faults MODE: tests/s3/faults.py in front of S3Proxy, its URL in $furl.
faults() {
	[ -n "$faults_pid" ] && kill "$faults_pid" 2> /dev/null
	rm -f "$tmp/faults-port"
	python3 "$here/faults.py" "$tmp/faults-port" "$port" "$1" \
	    2> "$tmp/faults.log" &
	faults_pid=$!
	for _ in $(seq 100); do [ -s "$tmp/faults-port" ] && break; sleep 0.1; done
	furl=http://127.0.0.1:$(cat "$tmp/faults-port")
}
faults 429x2
start=$(date +%s.%N)
timeout 60 sdc-sink s3 --endpoint "$furl" --bucket bkt --key busy/all.json \
    --format json --retry-initial 0.01 < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
status=$?
took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print (b - a >= 2) ? "waited" : "early" }')
check "429 with Retry-After: 1, twice: waited 2 s, then delivered" \
    "$status $took $(lines_in busy) $(cut -d' ' -f4 "$tmp/faults.log" | tr '\n' ' ')" \
    "0 waited 200 429 429 200 "
faults 503x3
timeout 60 sdc-sink s3 --endpoint "$furl" --bucket bkt --key slow/all.json \
    --format json --retry-initial 0.05 < "$tmp/small.sdc" > "$tmp/out" 2> "$tmp/err"
check "503 three times: retried, then delivered" \
    "$? $(lines_in slow) $(errors "$tmp/out" | wc -l) $(grep -c '503 SlowDown: injected by faults.py; retrying' "$tmp/err")" \
    "0 200 0 1"
faults part2
timeout 60 sdc-sink s3 --endpoint "$furl" --bucket bkt --key given/all.json \
    --format json --part-size 5M --retry-attempts 3 --retry-initial 0.05 \
    --spool-dir "$tmp/spool" < "$tmp/big.sdc" > "$tmp/out" 2> "$tmp/err"
status=$?
# The records read after the give-up, if any (it depends on the pace of
# the run), go into a new object, whose part 1 the faults let through.
errs=$(sdc-convert --to json < "$tmp/out" | jq -r 'select(."@error") | ."@error".code' | wc -l)
kept=$(lines_in given)
check "part 2 always 503: given up after 3 attempts, each record an error or in a later object" \
    "$status $(errors "$tmp/out" | cut -d' ' -f2) $((errs + kept)) $([ "$errs" -ge 50000 ] && echo most-failed)" \
    "0 S3_UPLOAD 100000 most-failed"
check "part 2 always 503: the upload aborted; an event only for a later object" \
    "$(grep -c '^DELETE /bkt/given/all.json?uploadId=.* -> 204$' "$tmp/faults.log") $(events "$tmp/out" | wc -l)" \
    "1 $([ "$kept" -gt 0 ] && echo 1 || echo 0)"
check "part 2 always 503: the error records hold the records' bytes, the later object the rest" \
    "$({ sdc-convert --to json < "$tmp/out" | jq -r 'select(."@error") | ."@error".record' | base64 -d
	[ -d "$(blobs given)" ] && find "$(blobs given)" -type f -exec cat {} +; } | cmp - "$tmp/big.json" && echo same)" "same"
check "part 2 always 503: no part file left in the spool" \
    "$(ls -A "$tmp/spool" | wc -l)" "0"

[ $n -eq $cases ] || { echo "not ok - ran $n of $cases cases"; failed=1; }
exit $failed
