#!/bin/bash
# Stop the broker of mosquitto-start.sh DIR and wait until it is gone
# (it saves its sessions on the way out): mosquitto-stop.sh DIR
pid=$(cat "$1/pid")
kill "$pid" 2> /dev/null || exit 0
for _ in $(seq 500); do
	kill -0 "$pid" 2> /dev/null || exit 0
	sleep 0.02
done
echo "mosquitto-stop: $pid still runs after 10 s" >&2
exit 1
