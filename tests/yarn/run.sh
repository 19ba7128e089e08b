#!/bin/bash
# Spark on YARN: sdc-spark-eval with --master yarn against a Hadoop
# minicluster on loopback (tests/yarn/minicluster.sh).  The driver runs
# in sdc-spark-eval's Python process (YARN client mode); its executors
# run in YARN containers.  About 2 minutes, so it is a step of its own in
# .ci/run, not part of make check.  TAP on stdout.
#
#   top_srcdir=... top_builddir=... tests/yarn/run.sh
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir/build}
python=${SDC_SPARK_PYTHON:-${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}/venv/bin/python}
export PATH=$builddir:$PATH SDC_SPARK_PYTHON=$python
export PYTHONPATH=$srcdir/lib/spark${PYTHONPATH:+:$PYTHONPATH}
export SDC_SPARK_JAR=${SDC_SPARK_JAR:-$builddir/sdc-spark.jar}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-yarn.XXXXXX")
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | tail -25; done
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

if "$srcdir/tests/yarn/minicluster.sh" start "$tmp/cluster" 2> "$tmp/start.err"
then
	ok "a YARN minicluster starts on loopback"
else
	not_ok "a YARN minicluster starts on loopback" "$tmp/start.err"
	exit 1
fi
export HADOOP_CONF_DIR=$tmp/cluster/conf

# 200 sightings of sample/sightings.csv through a transformer with a
# shuffle: every record comes back, each from a YARN container.
data=$srcdir/tests/cli/data
sdc-convert --from csv --infer-types "$srcdir/sample/sightings.csv" > "$tmp/in"
(cd "$data" && timeout 300 sdc-spark-eval -T spark/cases.py:WhereRun \
    --master yarn --conf spark.executor.instances=2 \
    --conf spark.executor.memory=512m --conf spark.yarn.am.memory=512m \
    -b 50 -v < "$tmp/in" > "$tmp/out" 2> "$tmp/eval.err")
status=$?
if [ $status -eq 0 ]; then
	ok "sdc-spark-eval --master yarn exits 0"
else
	not_ok "sdc-spark-eval --master yarn exits 0 (it was $status)" "$tmp/eval.err"
fi

sdc-convert --to json < "$tmp/out" > "$tmp/out.json" 2> "$tmp/conv.err"
jq -c 'del(.container)' "$tmp/out.json" | sort > "$tmp/got"
sdc-convert --to json < "$tmp/in" | jq -c . | sort > "$tmp/want"
if [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then
	ok "every record came back, with its content"
else
	diff "$tmp/want" "$tmp/got" | head -20 > "$tmp/diff"
	not_ok "every record came back, with its content" "$tmp/diff" "$tmp/conv.err"
fi

jq -r .container "$tmp/out.json" | sort -u > "$tmp/containers"
if [ -s "$tmp/containers" ] && ! grep -qv '^container_' "$tmp/containers"
then
	ok "each record was transformed in a YARN container ($(wc -l < "$tmp/containers") containers)"
else
	not_ok "each record was transformed in a YARN container" "$tmp/containers"
fi

if grep -q "^sdc-spark-eval: Spark .*, master yarn, application application_[0-9]*_[0-9]*$" "$tmp/eval.err"; then
	ok "-v names the YARN application"
else
	not_ok "-v names the YARN application" "$tmp/eval.err"
fi
