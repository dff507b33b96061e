#!/usr/bin/env bash
# Fails when an XCTest run's output shows a skipped test that the allow-list does not name. tools/test.sh
# (and so CI) runs it on the suite's output: a skip there is a test that did not run, so it counts as a
# failure unless Tests/skip-allow-list.txt names it with its reason.
#   tools/check-skips.sh LOG [ALLOW-LIST]
# Prints each unlisted skipped test with its skip message; exit status 1 when there is one, or when the
# number of skipped tests found disagrees with the suite's summary (an output this script cannot read).
set -euo pipefail
log=${1:?usage: tools/check-skips.sh LOG [ALLOW-LIST]}
allow=${2:-"$(cd "$(dirname "$0")/.." && pwd)/Tests/skip-allow-list.txt"}
[ -r "$log" ] || { echo "check-skips: cannot read the test output $log" >&2; exit 2; }
[ -r "$allow" ] || { echo "check-skips: cannot read the allow-list $allow" >&2; exit 2; }

status=0
allowed=()
while read -r name reason; do
    [[ -z "$name" || "$name" == \#* ]] && continue
    if [ -z "$reason" ]; then echo "check-skips: $allow: $name has no reason" >&2; status=1; fi
    allowed+=("$name")
done < "$allow"

mapfile -t skipped < <(sed -n "s/^Test Case '\([^']*\)' skipped .*/\1/p" "$log")
# The last summary line is the whole run's ("Executed N tests, with M tests skipped and ...").
summary=$(grep -Eo 'Executed [0-9]+ tests?, with [0-9]+ tests? skipped' "$log" | tail -1 | grep -Eo '[0-9]+ tests? skipped' | grep -Eo '^[0-9]+' || true)
if [ -n "$summary" ] && [ "$summary" -ne "${#skipped[@]}" ]; then
    echo "check-skips: the summary of $log counts $summary skipped tests, but ${#skipped[@]} are named as skipped" >&2
    status=1
fi
for name in ${skipped[@]+"${skipped[@]}"}; do
    listed=0
    for a in ${allowed[@]+"${allowed[@]}"}; do [ "$a" = "$name" ] && listed=1; done
    ((listed)) && continue
    message=$(grep -F ": $name : Test skipped" "$log" | head -1 | sed -E 's/^.* : Test skipped:? *(- )?//' || true)
    echo "skipped, not on the allow-list ($allow): $name: ${message:-no message}" >&2
    status=1
done
exit $status
