#!/bin/sh
# Run the fuzz targets (make fuzz, make fuzz-replay).
#
#   run.sh BINDIR TARGET...           fuzz each target FUZZ_SECONDS (60)
#                                     from tests/fuzz/corpus/TARGET, new
#                                     inputs kept in BINDIR/corpus/TARGET,
#                                     crashes in BINDIR/crashes/; prints
#                                     runs, execs/s, crashes and coverage
#   run.sh -replay BINDIR TARGET...   run each corpus file once
#
# Exits 1 when a target crashed or a sanitizer reported anything.
set -u
replay=0
if [ "${1:-}" = "-replay" ]; then
	replay=1
	shift
fi
bindir=$1
shift
secs=${FUZZ_SECONDS:-60}
here=$(dirname "$0")
fail=0
total_runs=0
total_crashes=0
n=0
for t in "$@"; do
	bin=$bindir/$t
	seeds=$here/corpus/$t
	log=$bindir/$t.log
	n=$((n + 1))
	if [ "$replay" = 1 ]; then
		count=$(find "$seeds" -type f | wc -l)
		start=$(date +%s)
		# Every file once, no fuzzing; files named on the command line.
		if find "$seeds" -type f -print0 |
		    xargs -0 "$bin" -runs=1 >"$log" 2>&1; then
			printf '%-18s %5d inputs replayed in %ds: ok\n' "$t" \
			    "$count" $(($(date +%s) - start))
		else
			printf '%-18s %5d inputs: FAILED, see %s\n' "$t" \
			    "$count" "$log"
			grep -m 20 -E 'ERROR|SUMMARY|runtime error' "$log"
			fail=1
			total_crashes=$((total_crashes + 1))
		fi
		total_runs=$((total_runs + count))
		continue
	fi
	work=$bindir/corpus/$t
	crashes=$bindir/crashes
	mkdir -p "$work" "$crashes"
	before=$(find "$crashes" -name "$t-*" -type f | wc -l)
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$crashes/$t-" \
	    "$work" "$seeds" >"$log" 2>&1
	rc=$?
	after=$(find "$crashes" -name "$t-*" -type f | wc -l)
	c=$((after - before))
	[ "$rc" -ne 0 ] && [ "$c" -eq 0 ] && c=1
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
	corp=$(find "$work" "$seeds" -type f | wc -l)
	printf '%-18s runs %9s  execs/s %6s  crashes %d  %s  corpus %d\n' \
	    "$t" "${runs:-?}" "${eps:-?}" "$c" "${cov:-cov: ?}" "$corp"
	if [ "$c" -ne 0 ]; then
		fail=1
		grep -m 20 -E 'ERROR|SUMMARY|runtime error|Test unit written' \
		    "$log"
	fi
	total_runs=$((total_runs + ${runs:-0}))
	total_crashes=$((total_crashes + c))
done
if [ "$replay" = 1 ]; then
	echo "fuzz-replay: $n targets, $total_runs inputs, $total_crashes failed"
else
	echo "fuzz: $n targets, ${secs}s each, $total_runs runs, $total_crashes crashes"
fi
exit $fail
