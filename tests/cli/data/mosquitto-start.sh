#!/bin/bash
# Start a mosquitto broker for a test on 127.0.0.1 and print its port:
#   mosquitto-start.sh DIR [PORT [CONF-LINES...]]
# DIR holds its configuration, its persistence file (mosquitto.db, so a
# restart on the same PORT keeps sessions), its log and its pid (DIR/pid).
# Extra arguments are lines added to the configuration.  It waits until
# the broker listens (10 s at most); stop it with kill $(cat DIR/pid).
set -eu
dir=$1
here=$(cd "$(dirname "$0")" && pwd)
port=${2:-$(python3 "$here/free-port.py")}
shift $(($# >= 2 ? 2 : 1))
{
	echo "listener $port 127.0.0.1"
	echo "allow_anonymous true"
	[ "$(id -u)" -ne 0 ] || echo "user root"	# else it drops to mosquitto
	echo "persistence true"
	echo "persistence_location $dir/"
	echo "log_dest file $dir/mosquitto.log"
	echo "log_type all"
	for line in "$@"; do echo "$line"; done
} > "$dir/mosquitto.conf"
mosquitto -c "$dir/mosquitto.conf" > /dev/null 2>&1 &
echo $! > "$dir/pid"
python3 "$here/wait-port.py" tcp "$port" || { cat "$dir/mosquitto.log" >&2; exit 1; }
echo "$port"
