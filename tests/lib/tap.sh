# TAP for the script tests (sourced): ok, not_ok and check count the
# test points; at exit the plan is printed, $tmp removed, and the status
# says whether every point passed.  Expects tmp, a directory of the test's.
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" | tail -25; done
}
check() {	# check DESCRIPTION COMMAND... [-- FILES TO SHOW]
	local what=$1 cmd=() show=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	show=("$@")
	if "${cmd[@]}" > "$tmp/check.out" 2>&1; then
		ok "$what"
	else
		not_ok "$what" "$tmp/check.out" "${show[@]}"
	fi
}
trap 'echo "1..$n"; rm -rf "$tmp"; [ "$failed" -eq 0 ]; exit' EXIT
trap 'exit 1' INT TERM
