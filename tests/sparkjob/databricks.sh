#!/bin/bash
# sdc-sparkjob's databricks launcher against tests/sparkjob/databricks-server.py,
# a contract server started and stopped here that plays a Databricks
# workspace's Jobs API 2.1 (no real one can run here) and records any
# request that breaks the documented schema.  The events come from a
# real sdc-sink file run.  Each case is bounded in time.  Prints TAP.
# Environment: top_srcdir, top_builddir.
set -u
srcdir=$(cd "${top_srcdir:-.}" && pwd)
builddir=$(cd "${top_builddir:-.}" && pwd)
PATH=$builddir:$PATH
server_py=$srcdir/tests/sparkjob/databricks-server.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-sparkjob-dbx.XXXXXX")
spid=
trap '[ -n "$spid" ] && kill -9 $spid 2> /dev/null; rm -rf "$tmp"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
unset DATABRICKS_TOKEN DATABRICKS_HOST DATABRICKS_CLIENT_ID \
    DATABRICKS_CLIENT_SECRET
if ! command -v jq > /dev/null || ! command -v curl > /dev/null; then
	echo "1..0 # SKIP no jq or curl (scripts/bootstrap installs them)"
	exit 0
fi
cases=36
n=0 failed=0
echo "1..$cases"
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
# serve ARGS...: the server in the background, its base URL in $url.
serve() {
	local i
	rm -f "$tmp/port"
	python3 "$server_py" --port-file "$tmp/port" --token secret-token \
	    --job 7=notebook:SUCCESS --job 8=jar:FAILED \
	    --job 9=python:SUCCESS "$@" 2> "$tmp/server.err" &
	spid=$!
	for i in $(seq 100); do
		[ -s "$tmp/port" ] && break
		sleep 0.1
	done
	url=http://127.0.0.1:$(cat "$tmp/port")
}
unserve() {
	kill $spid 2> /dev/null
	wait $spid 2> /dev/null
	spid=
}
# state JQ: the server's state, through jq -c.
state() {
	curl -s "$url/_test/state" | jq -c "$1"
}
fault() {
	curl -s -X POST -d "$1" "$url/_test/fault" > /dev/null
}
# events [NAME]: file-closed events of a real sdc-sink file run in $tmp/ev,
# two files part-0.json and part-1.json, or one file part.json in a
# directory NAME (a file name template takes no field).
events() {
	rm -rf "$tmp/out-files"
	mkdir "$tmp/out-files"
	if [ $# -gt 0 ]; then
		printf '{"name":%s}\n' "$(jq -Rn --arg n "$1" '$n')" |
		    sdc-convert --from json | sdc-sink file --format json \
		    --directory "$tmp/out-files/\${/name}" --name part.json \
		    > "$tmp/ev" 2> "$tmp/sink.err"
	else
		printf '{"n":1}\n{"n":2}\n' | sdc-convert --from json |
		    sdc-sink file --format json --directory "$tmp/out-files" \
		    --name 'part-${seq}.json' --max-records 1 > "$tmp/ev" \
		    2> "$tmp/sink.err"
	fi
}
# launch ARGS...: sdc-sparkjob databricks on $tmp/ev; output as JSON in
# $tmp/out, standard error in $tmp/err, exit status in $status.
launch() {
	timeout 60 sdc-sparkjob databricks --host "$url" \
	    --poll-interval 0.1 --retry-initial 0.1 --retry-attempts 5 \
	    --metrics "$tmp/m.json" "$@" < "$tmp/ev" > "$tmp/out.sdc" \
	    2> "$tmp/err"
	status=$?
	sdc-convert --to json < "$tmp/out.sdc" > "$tmp/out" 2> /dev/null
}
out() {
	jq -c "$1" "$tmp/out" | tr '\n' ' ' | sed 's/ $//'
}
metric() {
	jq -r ".$1" "$tmp/m.json"
}
export DATABRICKS_TOKEN=secret-token

# --- run-now of a notebook job: the parameters become its widgets.
serve
events
launch --job-id 7 --notebook-param 'file=${/filepath}' \
    --notebook-param 'name=${/filename}' --notebook-param 'zone=eu'
check "run-now: exit status 0" "$status" 0
check "run-now: the widgets of each run" \
    "$(state '[.runs[] | .given.notebook_params]')" \
    "[{\"file\":\"$tmp/out-files/part-0.json\",\"name\":\"part-0.json\",\"zone\":\"eu\"},{\"file\":\"$tmp/out-files/part-1.json\",\"name\":\"part-1.json\",\"zone\":\"eu\"}]"
check "run-now: app-submitted with each run id" \
    "$(out 'select(."@event".type == "app-submitted") | ."@event".record | [."app-id", .launcher, ."event-id"]')" \
    "[\"1000\",\"databricks\",\"$tmp/out-files/part-0.json\"] [\"1001\",\"databricks\",\"$tmp/out-files/part-1.json\"]"
check "run-now: an idempotency token a run, each different" \
    "$(state '[.runs[].idempotency_token | length] + [[.runs[].idempotency_token] | unique | length]')" \
    "[32,32,2]"
check "run-now: the file-closed events passed through" \
    "$(out 'select(."@event".type == "file-closed") | ."@event".record.filename')" \
    '"part-0.json" "part-1.json"'

# --- the same events again: their tokens find the runs already made.
launch --job-id 7 --notebook-param 'file=${/filepath}' \
    --notebook-param 'name=${/filename}' --notebook-param 'zone=eu'
check "the same events again: the same run ids, no new run" \
    "$(out 'select(."@event".type == "app-submitted") | ."@event".record."app-id"') $(state '.runs | length')" \
    '"1000" "1001" 2'

# --- jar and python parameters, in order; job parameters.
launch --job-id 8 --jar-param '${/filename}' --jar-param 'second arg' \
    --jar-param '--third'
check "jar params in order" \
    "$(state '[.runs[] | select(.job_id == 8) | .given.jar_params]')" \
    '[["part-0.json","second arg","--third"],["part-1.json","second arg","--third"]]'
launch --job-id 9 --python-param '${/filepath}' --python-param 'x' \
    --job-param 'day=%Y' --job-param 'src=${/filename}'
check "python params in order, and job parameters" \
    "$(state "[.runs[] | select(.job_id == 9) | [.given.python_params, .given.job_parameters.src, (.given.job_parameters.day | test(\"^[0-9]{4}\$\"))]] | .[0]")" \
    "[[\"$tmp/out-files/part-0.json\",\"x\"],\"part-0.json\",true]"
check "no request broke the schema (run-now)" "$(state '.violations')" '[]'
unserve

# --- runs/submit: a notebook on an existing cluster, a Python file on a
# new cluster, a jar's main class with its library.
serve
events
launch --notebook-path '/Shared/ingest' --cluster-id 0101-abc \
    --run-name 'ingest ${/filename}' --notebook-param 'file=${/filepath}'
check "runs/submit notebook: status 0" "$status" 0
check "runs/submit notebook: its task" \
    "$(state '[.runs[] | .given | [.run_name, .tasks[0].existing_cluster_id, .tasks[0].notebook_task.notebook_path, .tasks[0].notebook_task.base_parameters.file]] | .[0]')" \
    "[\"ingest part-0.json\",\"0101-abc\",\"/Shared/ingest\",\"$tmp/out-files/part-0.json\"]"
printf '{"spark_version": "15.4.x-scala2.12", "node_type_id": "i3.xlarge", "num_workers": 2}\n' > "$tmp/cluster.json"
launch --python-file 'dbfs:/jobs/count.py' --new-cluster "$tmp/cluster.json" \
    --python-param '${/filepath}'
check "runs/submit python file on a new cluster" \
    "$(state '[.runs[] | .given | select(.tasks[0].spark_python_task) | [.tasks[0].new_cluster.num_workers, .tasks[0].spark_python_task.python_file, .tasks[0].spark_python_task.parameters]] | .[0]')" \
    "[2,\"dbfs:/jobs/count.py\",[\"$tmp/out-files/part-0.json\"]]"
launch --main-class com.example.Count --library 'dbfs:/jars/count.jar' \
    --cluster-id 0101-abc --jar-param '${/filename}' --wait
check "runs/submit jar task, waited for: status 0, SUCCESS" \
    "$status $(out 'select(."@event".type == "app-finished") | ."@event".record.state')" \
    '0 "SUCCESS" "SUCCESS"'
check "runs/submit jar task: main class, library, parameters" \
    "$(state '[.runs[] | .given | select(.tasks[0].spark_jar_task) | [.tasks[0].spark_jar_task, .tasks[0].libraries]] | .[0]')" \
    '[{"main_class_name":"com.example.Count","parameters":["part-0.json"]},[{"jar":"dbfs:/jars/count.jar"}]]'
check "no request broke the schema (runs/submit)" "$(state '.violations')" '[]'
unserve

# --- a request whose answer is lost (the run made, then 503): tried
# again with the same token, it finds that run; one run only.
serve
events
fault '{"path": "run-now", "status": 503, "commit": true, "count": 1}'
launch --job-id 7 --notebook-param 'file=${/filepath}' --max-running 1
check "a lost answer tried again: one run an event" \
    "$status $(state '.runs | length') $(state '[.requests[] | select(.path == "/api/2.1/jobs/run-now") | .status]')" \
    '0 2 [503,200,200]'
check "a lost answer tried again: the run the first request made" \
    "$(out 'select(."@event".type == "app-submitted") | ."@event".record."app-id"') $(metric retried)" \
    '"1000" "1001" 1'
unserve

# --- 429 with Retry-After, then 503, then success.
serve
events
fault '{"path": "run-now", "status": 429, "retry_after": 1, "count": 1}'
fault '{"path": "run-now", "status": 503, "count": 1}'
launch --job-id 7 --notebook-param 'file=${/filepath}'
check "429 then 503 then success: status 0, two runs" \
    "$status $(state '.runs | length')" '0 2'
check "429 then 503: the statuses seen" \
    "$(state '[.requests[] | select(.path == "/api/2.1/jobs/run-now") | .status]')" \
    '[429,503,200,200]'
check "Retry-After: 1 waited for" \
    "$(state '[.requests[] | select(.path == "/api/2.1/jobs/run-now") | .time] | (.[1] - .[0]) >= 0.95')" \
    true
# Retries that never end in success: the launch fails after the policy.
fault '{"path": "runs/get", "status": 503, "count": 100}'
launch --job-id 7 --wait --retry-attempts 3
check "503 until the retries end: exit 5, SPARKJOB_UNREACHABLE" \
    "$status $(out 'select(."@error") | ."@error".code')" \
    '5 "SPARKJOB_UNREACHABLE" "SPARKJOB_UNREACHABLE"'
unserve

# --- a FAILED run under --wait: app-finished FAILED, an error record
# carrying the event, exit status 5.
serve
events
launch --job-id 8 --jar-param '${/filename}' --wait
check "FAILED run: exit status 5" "$status" 5
check "FAILED run: app-finished FAILED" \
    "$(out 'select(."@event".type == "app-finished") | ."@event".record | [.state, .succeeded]')" \
    '["FAILED",false] ["FAILED",false]'
check "FAILED run: an error record with the state message" \
    "$(out 'select(."@error") | ."@error".message | test("run 100[01] FAILED: Task sdc_sparkjob failed")')" \
    'true true'
check "FAILED run: each run polled to its end" \
    "$(state '[.runs[].polls]')" '[4,4]'

# --- --timeout while waiting: the run is cancelled.
launch --job-id 7 --wait --poll-interval 30 --timeout 1
check "--timeout: exit 5, SPARKJOB_TIMEOUT, cancelled" \
    "$status $(out 'select(."@error") | ."@error".code') $(state '[.runs[] | select(.cancelled)] | length')" \
    '5 "SPARKJOB_TIMEOUT" "SPARKJOB_TIMEOUT" 2'

# --- a wrong token: the API's message, no run.
DATABRICKS_TOKEN=wrong launch --job-id 7
check "wrong token: exit 5, no new run" \
    "$status $(state '.runs | length')" '5 4'
check "wrong token: the API's error code and message" \
    "$(out 'select(."@error") | ."@error".message' | head -c 200 | grep -o '401 UNAUTHENTICATED: Invalid access token.' | head -1)" \
    '401 UNAUTHENTICATED: Invalid access token.'
check "no request broke the schema (faults, tokens)" "$(state '.violations')" '[]'
unserve

# --- OAuth machine-to-machine: a token from /oidc/v1/token, shared.
serve --client sp-id:sp-secret --token-lifetime 600
events
printf 'sp-secret\n' > "$tmp/secret"
DATABRICKS_TOKEN= launch --client-id sp-id --client-secret-file "$tmp/secret" \
    --job-id 7 --wait --max-running 2
check "OAuth M2M: two runs to SUCCESS, one token for both" \
    "$status $(state '[(.runs | length), .tokens_issued]')" '0 [2,1]'
printf 'not-the-secret\n' > "$tmp/secret"
events
DATABRICKS_TOKEN= launch --client-id sp-id --client-secret-file "$tmp/secret" \
    --job-id 7
check "OAuth M2M: a wrong secret fails with the endpoint's answer" \
    "$status $(out 'select(."@error") | ."@error".message | test("OAuth token from .*/oidc/v1/token: HTTP 401.*invalid_client")')" \
    '5 true true'
unserve

# --- a hostile file name reaches the job intact, as a JSON string.
serve
hostile="-x \$(touch pwned) 'q' \"dq\" ;|&<>*? ü end.json"
events "$hostile"
check "hostile name: the sink wrote it as it is" \
    "$(ls "$tmp/out-files")" "$hostile"
launch --job-id 9 --python-param '${/filepath}' --python-param '${/filename}'
check "hostile name: a python param, the path as the sink wrote it" \
    "$(state '[.runs[].given.python_params]')" \
    "$(jq -cn --arg p "$tmp/out-files/$hostile/part.json" '[[$p, "part.json"]]')"
launch --job-id 7 --notebook-param 'file=${/filepath}'
check "hostile name: a widget's value" \
    "$(state '[.runs[] | select(.given.notebook_params) | .given.notebook_params.file]')" \
    "$(jq -cn --arg p "$tmp/out-files/$hostile/part.json" '[$p]')"
check "hostile name: nothing ran" "$(ls pwned "$tmp/pwned" 2> /dev/null)" ""

# --- --dry-run: the request, nothing sent.
launch --job-id 7 --notebook-param 'file=${/filename}' --dry-run
check "--dry-run: POST URL and body, no request" \
    "$(grep -c "would launch: POST $url/api/2.1/jobs/run-now {\"job_id\":7,\"notebook_params\":{\"file\":" "$tmp/err") $(state '.runs | length')" \
    '1 2'
unserve
[ "$n" = "$cases" ] || { echo "# ran $n of $cases cases"; failed=1; }
exit $failed
