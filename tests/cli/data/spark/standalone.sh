# Helpers of tests/spark/standalone.test, sourced by its command line (which
# runs in tests/cli/data, with $T its own directory): a Spark standalone
# cluster on loopback, one master and one worker, started by the spark-class
# of the PySpark that runs the driver ($SDC_SPARK_PYTHON).
#
# start_standalone  starts the master on a port the system picks, then a
#     worker of one core, waits until the worker has registered (45 s at
#     most for each), and sets $master to spark://127.0.0.1:PORT.  The worker
#     does not inherit our PYTHONPATH: its executors import sdc_spark and
#     the transformer only from what the driver ships them.  Their logs are
#     $T/master.log and $T/worker.log, the worker's directory $T/work.  An
#     EXIT trap stops both, however the case ends.

export SPARK_LOCAL_IP=127.0.0.1	# not the address the host name resolves to

# wait_log FILE PID TEXT: until FILE holds TEXT, while PID runs.
wait_log() {
	local _

	for _ in $(seq 450); do
		grep -qs -- "$3" "$1" && return 0
		kill -0 "$2" 2> /dev/null || break
		sleep 0.1
	done
	echo "no '$3' in $1:" >&2
	tail -20 "$1" >&2
	return 1
}

stop_standalone() {
	kill -TERM $worker_pid $master_pid 2> /dev/null
	wait $worker_pid $master_pid 2> /dev/null
}

start_standalone() {
	local home port

	home=$("$SDC_SPARK_PYTHON" -c 'import os, pyspark
print(os.path.dirname(pyspark.__file__))') || return 1
	"$home/bin/spark-class" org.apache.spark.deploy.master.Master \
	    --host 127.0.0.1 --port 0 --webui-port 0 > "$T/master.log" 2>&1 &
	master_pid=$!
	worker_pid=
	trap stop_standalone EXIT
	wait_log "$T/master.log" $master_pid "Starting Spark master at" ||
	    return 1
	port=$(sed -n 's|.*Starting Spark master at spark://127\.0\.0\.1:\([0-9]*\).*|\1|p' \
	    "$T/master.log")
	master=spark://127.0.0.1:$port
	env -u PYTHONPATH "$home/bin/spark-class" \
	    org.apache.spark.deploy.worker.Worker "$master" --host 127.0.0.1 \
	    --cores 1 --memory 1g --webui-port 0 --work-dir "$T/work" \
	    > "$T/worker.log" 2>&1 &
	worker_pid=$!
	wait_log "$T/worker.log" $worker_pid "Successfully registered with master"
}

# same_records IN OUT: whether the typed JSON records of OUT are those of IN
# come back from an identity transformer: the data records in order, each
# with the stage of sdc-spark-eval added, and the other frames in order,
# batch frames aside (the batches are sdc-spark-eval's own).
same_records() {
	python3 - "$1" "$2" <<'PY'
import json, sys

def frames(path, kind):
    with open(path) as f:
        rs = [json.loads(line) for line in f]
    return [r for r in rs if (r["kind"] == "data") == (kind == "data")
            and r["kind"] != "batch"]

got = frames(sys.argv[2], "data")
stages = {r["stages"].pop() for r in got}
print("same" if frames(sys.argv[1], "data") == got and
      stages == {"sdc-spark-eval"} and
      frames(sys.argv[1], "other") == frames(sys.argv[2], "other")
      else "different")
PY
}
