# Shared by the scripts/bench-* scripts (sourced): the optimized build,
# the sightings they time, and timing best of $runs with ours and the
# peer's taking turns.  Expects top, rows and runs to be set.

build() {
	if [ -f "$top/config.status" ]; then
		echo "bench: the tree is configured in place; using its build" >&2
		make -s -C "$top" > /dev/null 2>&1
		bin=$top
		return
	fi
	bin=$top/build-bench
	if [ ! -f "$bin/Makefile" ]; then
		"$top/scripts/autogen" > /dev/null 2>&1
		mkdir -p "$bin"
		(cd "$bin" && "$top/configure" --quiet CFLAGS="-O2 -g")
	fi
	make -s -C "$bin" > "$bin/bench-build.log" 2>&1 ||
	    { cat "$bin/bench-build.log"; exit 1; }
}

make_csv() {
	awk -v rows="$rows" 'BEGIN {
		srand(20260314)
		for (i = 0; i < 5000; i++)
			dev[i] = sprintf("%08x%08x", int(rand() * 4294967296),
			    int(rand() * 4294967296))
		split("1 6 11 36 40 44 48 149", wifi, " ")
		print "ts,sensor_id,device_id,rssi,radio,channel"
		for (i = 0; i < rows; i++) {
			t = int(i * 86400000 / rows)
			ts = sprintf("2026-03-14T%02d:%02d:%02d.%03dZ",
			    int(t / 3600000), int(t / 60000) % 60,
			    int(t / 1000) % 60, t % 1000)
			if (rand() < 0.65) {
				radio = "wifi"; ch = wifi[1 + int(rand() * 8)]
			} else {
				radio = "ble"; ch = 37 + int(rand() * 3)
			}
			printf "%s,mall1-s%03d,%s,%d,%s,%d\n", ts,
			    1 + int(rand() * 60), dev[int(rand() * 5000)],
			    -30 - int(rand() * 66), radio, ch
		}
	}'
}

# timed COMMAND: its wall time, in seconds.
timed() {
	local t
	t=$({ TIMEFORMAT=%R; time bash -o pipefail -c "$1" \
	    > /dev/null 2>&1 || echo "bench: failed: $1" >&2; } 2>&1)
	case $t in *failed*) echo "$t" >&2; exit 1 ;; esac
	echo "$t"
}

# best COMMAND...: the best wall time of each command over $runs rounds.
# The commands take turns within a round, so that the machine's speed,
# which drifts, weighs on ours and the peer's alike.
best() {
	local i j t
	local -a best=()

	for ((i = 0; i < runs; i++)); do
		for ((j = 1; j <= $#; j++)); do
			t=$(timed "${!j}") || exit 1
			if [ -z "${best[j]:-}" ] ||
			    awk "BEGIN { exit !($t < ${best[j]}) }"; then
				best[j]=$t
			fi
		done
	done
	echo "${best[@]}"
}

