#!/bin/sh
# test-failures.sh TAP...: the tests that failed in node's TAP reports,
# each with where it is and the first lines of its error, so that the
# end of a long run says what went wrong.  Suites that failed only
# because a test in them did are left out.
for f in "$@"; do
	[ -s "$f" ] || continue
	awk -v file="$f" '
	function flush() {
		if (name != "" && type != "subtestsFailed") {
			if (!shown++) print "== failed in " file
			print "  " name
			if (loc != "") print "    at " loc
			for (i = 1; i <= nerr && i <= 4; i++) print "    " err[i]
		}
		name = ""; loc = ""; type = ""; nerr = 0; inerr = 0
	}
	/^ *not ok [0-9]+ - / {
		flush(); name = $0; sub(/^ *not ok [0-9]+ - /, "", name); next
	}
	/^ *(ok [0-9]+ - |# Subtest: |1\.\.[0-9]+$)/ { flush(); next }
	name == "" { next }
	/^ *location: / { loc = $0; sub(/^ *location: /, "", loc); next }
	/^ *failureType: / { type = $0; sub(/^ *failureType: /, "", type)
		gsub(/\047/, "", type); next }
	/^ *error: \|-$/ { inerr = 1; next }
	/^ *error: / { e = $0; sub(/^ *error: /, "", e); err[++nerr] = e; next }
	inerr && /^ *[a-zA-Z_]+: / { inerr = 0 }
	inerr { e = $0; sub(/^ +/, "", e); if (e != "") err[++nerr] = e }
	END { flush() }
	' "$f"
done
