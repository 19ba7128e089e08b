#!/bin/bash
# sdc-sparkjob spark-submit on YARN: tests/sparkjob/data/count.py
# submitted to a Hadoop minicluster on loopback (tests/yarn/minicluster.sh,
# YARN over the local file system) for a file that sdc-sink file closed,
# in client mode, in cluster mode under --wait and in cluster mode
# without it; the application id of each app-submitted event is one
# that YARN's resource manager reports (through its client, as
# `yarn application -list`), with the final status the events say.  A few
# minutes; run by make check-yarn, not make check.  TAP on stdout.
#
#   top_srcdir=... top_builddir=... tests/yarn/sparkjob.sh
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=$(cd "${top_builddir:-$srcdir/build}" && pwd)
python=${SDC_SPARK_PYTHON:-${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/venv/bin/python}
export PATH=$builddir:$PATH

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-yarn-sparkjob.XXXXXX")
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | tail -25; done
}
check() {	# check DESCRIPTION COMMAND... [-- FILES TO SHOW]
	local what=$1 cmd=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	if "${cmd[@]}" > "$tmp/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what" "$tmp/check.out" "$@"
	fi
}
finish() {
	"$srcdir/tests/yarn/minicluster.sh" stop "$tmp/cluster"
	echo "1..$n"
	rm -rf "$tmp"
	[ "$failed" -eq 0 ]
	exit
}
trap finish EXIT
trap 'exit 1' INT TERM

if ! spark_home=$("$python" -c 'import os, pyspark
print(os.path.dirname(pyspark.__file__))'); then
	not_ok "PySpark in '$python' (scripts/bootstrap installs it)"
	exit 1
fi
if "$srcdir/tests/yarn/minicluster.sh" start "$tmp/cluster" 2> "$tmp/start.err"
then
	ok "a YARN minicluster starts on loopback"
else
	not_ok "a YARN minicluster starts on loopback" "$tmp/start.err"
	exit 1
fi
export HADOOP_CONF_DIR=$tmp/cluster/conf
jars=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/maven/hadoop-minicluster/jars

# What YARN's resource manager says of application $1: "NAME FINAL-STATE",
# from its client (what `yarn application -list` runs): the minicluster's
# REST API answers 404, its two web applications sharing one GuiceFilter.
yarn_app() {
	java -cp "$HADOOP_CONF_DIR:$jars/*" \
	    org.apache.hadoop.yarn.client.cli.ApplicationCLI application \
	    -list -appStates ALL 2> /dev/null |
	    awk -v id="$1" '$1 == id { print $2, $7 }'
}
yarn_final() {
	yarn_app "$1" | cut -d' ' -f2
}

cd "$tmp" || exit 1
mkdir out
sdc-convert --from csv "$srcdir/sample/sightings.csv" |
    sdc-sink file -F json --directory "$tmp/closed files" --name '${seq}.json' \
    > events.sdc 2> sink.err
# Spark's jars are where the node manager runs (loopback): not uploaded.
# The application's own files are staged in the minicluster's HDFS.
launcher=(spark-submit --master yarn --spark-home "$spark_home"
    --env "PYSPARK_PYTHON=$python"
    --conf "spark.yarn.appMasterEnv.PYSPARK_PYTHON=$python"
    --conf "spark.executorEnv.PYSPARK_PYTHON=$python"
    --conf "spark.yarn.jars=local:$spark_home/jars/*"
    --conf spark.yarn.am.memory=512m --driver-memory 512m
    --executor-memory 512m --num-executors 1 --conf spark.ui.enabled=false)

# submit CASE OPTIONS...: run sdc-sparkjob for the event, into CASE.*
submit() {
	local c=$1
	shift
	timeout 400 sdc-sparkjob "${launcher[@]}" "$@" --name "sdc-$c" \
	    "$srcdir/tests/sparkjob/data/count.py" '${/filepath}' "$tmp/out/$c" \
	    < events.sdc > "$c.sdc" 2> "$c.err"
	echo $? > "$c.status"
	sdc-convert --to json < "$c.sdc" > "$c.json" 2>&1
	jq -r 'select(."@event".type == "app-submitted")."@event".record."app-id"' \
	    "$c.json" > "$c.id"
}

for c in client cluster cluster-nowait; do
	case $c in
	client) submit client --deploy-mode client ;;
	cluster) submit cluster --deploy-mode cluster --wait ;;
	cluster-nowait) submit cluster-nowait --deploy-mode cluster ;;
	esac
	id=$(cat "$c.id")
	check "$c: sdc-sparkjob exits 0" test "$(cat "$c.status")" = 0 -- "$c.err"
	check "$c: the app-submitted event names a YARN application ($id)" \
	    grep -qx 'application_[0-9]*_[0-9]*' "$c.id" -- "$c.json" "$c.err"
	check "$c: YARN's resource manager knows $id as sdc-$c" \
	    test "$(yarn_app "$id" | cut -d' ' -f1)" = "sdc-$c" -- "$c.json"
done

for c in client cluster; do
	id=$(cat "$c.id")
	check "$c: YARN says $id SUCCEEDED" test "$(yarn_final "$id")" = SUCCEEDED
	check "$c: the application counted the file's 200 records" \
	    test "$(jq .count "out/$c" 2> /dev/null)" = 200 -- "$c.err"
done
check "client: app-finished says FINISHED" \
    grep -q '"app-finished".*"state":"FINISHED"' client.json -- client.json
check "cluster --wait: app-finished has YARN's final status, SUCCEEDED" \
    grep -q '"app-finished".*"state":"SUCCEEDED"' cluster.json -- cluster.json
check "cluster without --wait: submitted, no app-finished" \
    bash -c '! grep -q app-finished cluster-nowait.json' -- cluster-nowait.json
id=$(cat cluster-nowait.id)
for _ in $(seq 90); do
	case $(yarn_final "$id") in UNDEFINED|"") sleep 2 ;; *) break ;; esac
done
check "cluster without --wait: the application still ran to SUCCEEDED" \
    test "$(yarn_final "$id")" = SUCCEEDED -- cluster-nowait.err
