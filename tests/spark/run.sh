#!/bin/bash
# The tests of sdc-spark-eval against real Spark: the cases tests/spark/*.test,
# in the format of tests/cli/run.py, which runs them from tests/cli/data.
# Without PySpark they are skipped, except in CI (CI=true), where that fails.
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
export PYTHONPATH=$srcdir/lib/spark${PYTHONPATH:+:$PYTHONPATH}
exec "${PYTHON3:-python3}" "$srcdir/tests/cli/run.py" "$srcdir"/tests/spark/*.test
