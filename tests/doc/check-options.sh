#!/bin/bash
# The documentation agrees with the programs.  For each program cmd/sdc-X.c:
# every long option that `sdc-X --help` prints is in man/sdc-X.1 and in both
# completions, and every option those name is in --help.  The programs that
# take formats offer the same format options (lib/format-options.h: the
# sections "NAME format options" of --help).  Every man page lints clean with mandoc, and the EXAMPLES blocks marked runnable run.
#
# Conventions the check relies on: a man page writes each option as
# ".Fl \-name"; a runnable example is a ".Bd -literal" block right after a
# line '.\" runnable', whose lines starting with "$ " are commands (other
# lines continue them), run from the top of the source tree.
#
# Prints TAP.  Environment: top_srcdir, top_builddir, MANDOC (unset: mandoc
# from PATH; set and empty, as configure leaves it without mandoc: fail).

set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
builddir=$(cd "$builddir" && pwd)
mandoc=${MANDOC-mandoc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-doc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {	# ok STATUS DESCRIPTION [DETAILS...]
	local status=$1 what=$2
	shift 2
	n=$((n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
		printf '%s\n' "$@" | sed 's/^/# /'
	fi
}

# Long options, one a line, sorted: "--[no-]x" stands for --x and --no-x.
help_options() {
	sed 's/--\[no-\]\([a-z0-9-]*\)/--\1 --no-\1/g' |
	    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

man_options() {
	grep -oE 'Fl \\-[a-z][a-z0-9-]*' "$1" | sed 's/^Fl \\-/--/' | sort -u
}

file_options() {
	grep -v '^[[:space:]]*#' "$1" | help_options
}

# The options under the "NAME format options:" headings of --help.
format_options() {
	awk '/ format options:$/ { on = 1; next } /^$/ { on = 0 } on' |
	    help_options
}

# compare WHAT WANT-FILE GOT-FILE: everything in WANT appears in GOT.
contained() {
	local missing
	missing=$(comm -23 "$2" "$3" | tr '\n' ' ')
	ok "$([ -z "$missing" ]; echo $?)" "$1" "missing: $missing"
}

check_program() {
	local prog=$1 help=$tmp/$1.help man=$srcdir/man/$1.1
	local bash_comp=$srcdir/completions/bash/$1
	local zsh_comp=$srcdir/completions/zsh/_$1 f

	"$builddir/$prog" --help > "$tmp/$prog.out" 2> "$tmp/help.err"
	ok $? "$prog --help exits 0" "$(cat "$tmp/help.err")"
	help_options < "$tmp/$prog.out" > "$help"
	ok "$([ -s "$help" ]; echo $?)" "$prog --help lists long options"
	for f in "$man" "$bash_comp" "$zsh_comp"; do
		ok "$([ -f "$f" ]; echo $?)" "${f#"$srcdir"/} exists"
	done
	[ -f "$man" ] && man_options "$man" > "$tmp/man" || : > "$tmp/man"
	contained "$prog: --help options in its man page" "$help" "$tmp/man"
	contained "$prog: man page options in --help" "$tmp/man" "$help"
	[ -f "$bash_comp" ] && file_options "$bash_comp" > "$tmp/bash" ||
	    : > "$tmp/bash"
	contained "$prog: --help options in bash completion" "$help" "$tmp/bash"
	contained "$prog: bash completion options in --help" "$tmp/bash" "$help"
	[ -f "$zsh_comp" ] && file_options "$zsh_comp" > "$tmp/zsh" ||
	    : > "$tmp/zsh"
	contained "$prog: --help options in zsh completion" "$help" "$tmp/zsh"
	contained "$prog: zsh completion options in --help" "$tmp/zsh" "$help"
}

# Write the runnable examples of a page to $tmp/ex.N, mdoc escapes undone.
extract_examples() {
	rm -f "$tmp"/ex.*
	awk -v dir="$tmp" '
	/^\.\\" runnable/ { want = 1; next }
	want && /^\.Bd -literal/ { inside = 1; want = 0; n++; next }
	{ want = 0 }
	inside && /^\.Ed/ { inside = 0; next }
	inside {
		line = $0
		gsub(/\\\(dq/, "\"", line)
		gsub(/\\-/, "-", line)
		gsub(/\\&/, "", line)
		gsub(/\\e/, "\\", line)
		sub(/^\$ /, "", line)
		print line > (dir "/ex." n)
	}' "$1"
}

check_examples() {
	local page=$1 ex out
	extract_examples "$srcdir/$page"
	for ex in "$tmp"/ex.*; do
		[ -f "$ex" ] || continue
		out=$(cd "$srcdir" && PATH="$builddir:$PATH" timeout 60 \
		    bash -e -o pipefail "$ex" 2>&1 > /dev/null)
		ok $? "$page: example: $(head -1 "$ex")" "$(cat "$ex")" \
		    "output:" "$out"
	done
}

check_page() {
	local page=${1#"$srcdir"/} out
	if [ -z "$mandoc" ]; then
		ok 1 "$page: mandoc -Tlint" "mandoc not found by configure"
	else
		out=$("$mandoc" -Tlint -W warning "$1" 2>&1)
		ok $? "$page: mandoc -Tlint -W warning" "$out"
	fi
	check_examples "$page"
}

: > "$tmp/all-help"
for src in "$srcdir"/cmd/sdc-*.c; do
	[ -f "$src" ] || continue
	prog=$(basename "$src" .c)
	check_program "$prog"
	cat "$tmp/$prog.help" >> "$tmp/all-help"
done
sort -u -o "$tmp/all-help" "$tmp/all-help"
ok "$([ -s "$tmp/all-help" ]; echo $?)" "the programs in cmd/ print their options"
first=
for out in "$tmp"/*.out; do
	prog=$(basename "$out" .out)
	format_options < "$out" > "$tmp/$prog.formats"
	[ -s "$tmp/$prog.formats" ] || continue
	if [ -z "$first" ]; then
		first=$prog
		continue
	fi
	contained "$prog: the format options of $first" \
	    "$tmp/$first.formats" "$tmp/$prog.formats"
	contained "$prog: no format options that $first lacks" \
	    "$tmp/$prog.formats" "$tmp/$first.formats"
done
ok "$([ -n "$first" ]; echo $?)" "some program offers the format options"
man_options "$srcdir/man/sdc.7" > "$tmp/overview"
contained "sdc.7: options named exist in some program" "$tmp/overview" \
    "$tmp/all-help"
for page in "$srcdir"/man/*.[1-9]; do
	check_page "$page"
done
echo "1..$n"
[ "$failed" -eq 0 ]
