#!/bin/bash
# The Java codec of sdc-spark.jar against the vectors of sdc-record(5), and
# its API: tests/java/CodecTest.java, compiled here and run; prints TAP.
# The decode vectors, written again by Java, must give what sdc-convert
# writes for their JSON.  Without a JDK or the jar it is skipped, except
# in CI (CI=true), where that fails.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-.}
javac=${JAVAC:-javac}
java=${JAVA:-java}
jar=${SDC_SPARK_JAR:-$builddir/sdc-spark.jar}

missing=
command -v "$javac" > /dev/null 2>&1 || missing="no javac ('$javac')"
command -v "$java" > /dev/null 2>&1 || missing="no java ('$java')"
[ -f "$jar" ] || missing=${missing:-"no $jar (configure found no JDK)"}
if [ -n "$missing" ]; then
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - $missing (scripts/bootstrap installs a JDK)"
		exit 1
	fi
	echo "1..0 # SKIP $missing"
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdc-java.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/classes" "$tmp/canonical"
if ! "$javac" -d "$tmp/classes" -cp "$jar" --release 17 -Xlint:all -Werror \
    "$srcdir/tests/java/CodecTest.java" > "$tmp/javac.log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - tests/java/CodecTest.java compiles"
	sed 's/^/# /' "$tmp/javac.log"
	exit 1
fi
vectors=$srcdir/tests/vectors
if [ -x "$builddir/sdc-convert" ]; then
	while read -r name mode _; do
		[ "$mode" = decode ] || continue
		"$builddir/sdc-convert" --from json --typed "$vectors/$name.json" \
		    > "$tmp/canonical/$name.sdc" || rm -f "$tmp/canonical/$name.sdc"
	done < "$vectors/VECTORS"
fi
"$java" -cp "$jar:$tmp/classes" CodecTest "$vectors" "$tmp/canonical"
