#!/bin/bash
# minicluster.sh start DIR | stop DIR
#
# A Hadoop minicluster (an HDFS name node and data node, a YARN resource
# manager and node manager, the job history server) on loopback,
# from the jars scripts/bootstrap puts in the cache directory.  start
# returns when YARN takes applications and leaves in DIR/conf the
# configuration that HADOOP_CONF_DIR points Spark at; stop ends it.
set -euo pipefail

cache=${SDC_CACHE_DIR:-$HOME/.cache/sdc-tools}
jars=$cache/maven/hadoop-minicluster/jars
dir=${2:?usage: minicluster.sh start|stop DIR}
here=$(cd "$(dirname "$0")" && pwd)

free_port() {
	python3 "$here/../cli/data/free-port.py"
}

# The configuration the cluster wrote, for its clients: without the
# rack mapping of Hadoop's tests (StaticMapping), a class of its test
# jars that clients do not have.
client_conf() {
	python3 - "$dir/written.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
tree = ET.parse(sys.argv[1])
root = tree.getroot()
for p in root.findall('property'):
    if p.findtext('name') == 'net.topology.node.switch.mapping.impl':
        root.remove(p)
tree.write(sys.stdout, encoding='unicode')
PY
}

start() {
	[ -d "$jars" ] || { echo "minicluster: no $jars (run scripts/bootstrap)" >&2; exit 1; }
	mkdir -p "$dir/conf" "$dir/work"
	rm -f "$dir/written.xml"
	local d=() key
	# What clients and the application masters reach gets a free port
	# of its own, since the configuration written keeps the port asked
	# for; the rest binds to any.
	for key in yarn.resourcemanager.scheduler.address \
	    yarn.resourcemanager.webapp.address; do
		d+=(-D "$key=127.0.0.1:$(free_port)")
	done
	for key in yarn.resourcemanager.resource-tracker.address \
	    yarn.resourcemanager.admin.address \
	    yarn.nodemanager.address yarn.nodemanager.localizer.address \
	    yarn.nodemanager.webapp.address \
	    mapreduce.jobhistory.webapp.address \
	    mapreduce.jobhistory.admin.address \
	    dfs.datanode.address dfs.datanode.http.address \
	    dfs.datanode.ipc.address; do
		d+=(-D "$key=127.0.0.1:0")
	done
	# The node manager offers 8 GiB and 4 cores whatever the machine
	# has, and does not kill containers for their virtual memory,
	# which the JVM reserves far beyond what it uses.
	d+=(-D yarn.nodemanager.resource.memory-mb=8192
	    -D yarn.nodemanager.resource.cpu-vcores=4
	    -D yarn.nodemanager.vmem-check-enabled=false
	    -D yarn.scheduler.minimum-allocation-mb=256
	    -D hadoop.tmp.dir="$dir/work")
	(cd "$dir/work" && exec setsid java -Xmx1g \
	    --add-opens java.base/java.lang=ALL-UNNAMED \
	    --add-opens java.base/java.util=ALL-UNNAMED \
	    --add-opens java.base/java.lang.reflect=ALL-UNNAMED \
	    --add-opens java.base/java.io=ALL-UNNAMED \
	    -cp "$jars/*" org.apache.hadoop.mapreduce.MiniHadoopClusterManager \
	    -format -nodemanagers 1 -datanodes 1 -nnport "$(free_port)" \
	    -nnhttpport "$(free_port)" \
	    -rmport "$(free_port)" -jhsport "$(free_port)" "${d[@]}" \
	    -writeConfig "$dir/written.xml") > "$dir/cluster.log" 2>&1 &
	echo $! > "$dir/pid"
	for _ in $(seq 240); do
		if [ -s "$dir/written.xml" ]; then
			client_conf > "$dir/conf/yarn-site.xml"
			cp "$dir/conf/yarn-site.xml" "$dir/conf/core-site.xml"
			return 0
		fi
		kill -0 "$(cat "$dir/pid")" 2> /dev/null || break
		sleep 0.5
	done
	echo "minicluster: did not start; the end of its log:" >&2
	tail -20 "$dir/cluster.log" >&2
	stop
	exit 1
}

stop() {
	local pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill -TERM -- "-$pid" 2> /dev/null || true
	for _ in $(seq 40); do
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.5
	done
	kill -KILL -- "-$pid" 2> /dev/null || true
	rm -f "$dir/pid"
}

case $1 in
start) start ;;
stop) stop ;;
*) echo "usage: minicluster.sh start|stop DIR" >&2; exit 2 ;;
esac
