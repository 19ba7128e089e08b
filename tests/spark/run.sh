#!/bin/bash
# The tests of sdc-spark-eval against real Spark: the cases tests/spark/*.test,
# in the format of tests/cli/run.py, which runs them from tests/cli/data.
# Without PySpark they are skipped, except in CI (CI=true), where that fails.
# The java-*.test cases need a JDK and sdc-spark.jar ($SDC_SPARK_JAR, by
# default the build's): their JVM transformers, tests/cli/data/spark/Cases.java
# and the examples of lib/spark/examples/java, are compiled into one jar,
# $SDC_TEST_JAR.  Without a JDK they are left out, except in CI.
# Arguments: the .test files to run (default: all of them).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
python=${SDC_SPARK_PYTHON:-python3}	# make check sets it to configure's

if ! "$python" -c 'import pyspark' 2> /dev/null; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - no PySpark in '$python' (scripts/bootstrap installs it)"
		exit 1
	fi
	echo "1..0 # SKIP no PySpark in '$python'"
	exit 0
fi
export SDC_SPARK_PYTHON=$python
# A case starts one or two SparkContexts, 10 to 20 s each on a quiet
# machine with 2 cores, several times that when it is loaded.
export SDC_CASE_TIMEOUT=${SDC_CASE_TIMEOUT:-240}
export PYTHONPATH=$srcdir/lib/spark${PYTHONPATH:+:$PYTHONPATH}
export SDC_SPARK_JAR=${SDC_SPARK_JAR:-${top_builddir:-.}/sdc-spark.jar}
cases=("$@")
[ $# -gt 0 ] || cases=("$srcdir"/tests/spark/*.test)

# java_jar DIR: compile the JVM transformers of the cases into DIR/cases.jar.
java_jar() {
	local javac=${JAVAC:-javac} jar jars
	jar=${JAR:-$(dirname "$(command -v "$javac")")/jar}
	jars=$("$python" -c 'import os, pyspark
print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))') || return 1
	mkdir "$1/classes" &&
	"$javac" -d "$1/classes" -cp "$jars/*:$SDC_SPARK_JAR" --release 17 \
	    -Xlint:all,-path -Werror "$srcdir/tests/cli/data/spark/Cases.java" \
	    "$srcdir"/lib/spark/examples/java/*.java &&
	"$jar" cf "$1/cases.jar" -C "$1/classes" .
}

missing=
command -v "${JAVAC:-javac}" > /dev/null 2>&1 || missing="no javac"
[ -f "$SDC_SPARK_JAR" ] || missing=${missing:-"no $SDC_SPARK_JAR"}
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - the java-*.test cases: $missing (scripts/bootstrap installs a JDK)"
		exit 1
	fi
	echo "# the java-*.test cases are left out: $missing"
	kept=()
	for c in "${cases[@]}"; do
		case ${c##*/} in java-*) ;; *) kept+=("$c") ;; esac
	done
	cases=("${kept[@]}")
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-spark-java.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! java_jar "$tmp" > "$tmp/javac.log" 2>&1; then
		echo "1..1"
		echo "not ok 1 - the JVM transformers of the java-*.test cases compile"
		sed 's/^/# /' "$tmp/javac.log"
		exit 1
	fi
	export SDC_TEST_JAR=$tmp/cases.jar
fi
"${PYTHON3:-python3}" "$srcdir/tests/cli/run.py" "${cases[@]}"
