# Sourced by the serve benchmarks (from the repository root): one Markdown table row per wrk run.
# run_wrk NAME URL CONNECTIONS [WIDTH of the name column, default 14]: wrk for $seconds seconds at CONNECTIONS
# connections posting an image (tools/bench/serve_post.lua) to URL, its output kept in $work/wrk.txt; prints
# the row: answers per second, p50 and p99 latency, and any non-2xx answers or socket errors.
run_wrk() {
  local threads=$(( $3 < 2 ? 1 : 2 )) width=${4:-14}
  wrk -t"$threads" -c"$3" -d"${seconds}s" --latency -s tools/bench/serve_post.lua "$2" > "$work/wrk.txt"
  awk -v name="$1" -v c="$3" -v width="$width" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx|Socket errors/ {err=err" "$0}
      END {printf "| %-" width "s | %3d | %9s | %8s | %8s |%s\n", name, c, rps, p50, p99, err}' "$work/wrk.txt"
}
