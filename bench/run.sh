#!/usr/bin/env bash
# bench/run.sh [RECORDS ...]: how halocfg fares at scale (issue 12). Not run by
# CI: `go test ./...` does not see it. Default: 5000 records.
#
# For each size it starts a simulated tenant of RECORDS configuration records
# (halocfg sim --dataset scale:N with N = RECORDS/20: scale:N holds N records
# of each of the 20 kinds, plus the demo's people and N clients), exports it
# in every format, then converts between every pair of formats (from a copy
# holding one format alone), verifies the snapshot and diffs it with itself,
# each under /usr/bin/time -v (wall time, peak RSS). Anchors, on the same
# files: DuckDB read_json -> COPY TO parquet (@duckdb/node-api from npm,
# installed into bench/.cache), and openpyxl writing the JSON as a write-only
# workbook and reading halocfg's workbook in read-only mode (pip, else a
# system python3 that has it, e.g. Debian's python3-openpyxl; skipped when
# neither is there). Prints one table per size.
#
# Environment: BENCH_RUNS (default 1) runs each step that many times and
# reports the medians; BENCH_WORK (default bench/.cache/work) holds the snapshots of
# a run, removed at the end unless BENCH_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cache=$root/bench/.cache
mkdir -p "$cache"
work=${BENCH_WORK:-$cache/work}
bin=$cache/halocfg
timeout_s=${BENCH_TIMEOUT:-3600}

log() { printf '%s\n' "$*" >&2; }

go build -o "$bin" .

# The anchors' tools, once.
duck=""
if command -v node >/dev/null && command -v npm >/dev/null; then
	if [ ! -d "$cache/node_modules/@duckdb/node-api" ]; then
		log "installing @duckdb/node-api into $cache"
		(cd "$cache" && npm install --silent --no-audit --no-fund @duckdb/node-api >/dev/null 2>&1) || log "npm install @duckdb/node-api failed: no DuckDB anchor"
	fi
	[ -d "$cache/node_modules/@duckdb/node-api" ] && duck=yes
else
	log "no node/npm: no DuckDB anchor"
fi
py=""
if python3 -m pip install --quiet --target "$cache/py" openpyxl >/dev/null 2>&1 && PYTHONPATH="$cache/py" python3 -c 'import openpyxl' 2>/dev/null; then
	py="env PYTHONPATH=$cache/py python3"
else
	log "pip install openpyxl failed (PyPI out of reach?)"
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import openpyxl' 2>/dev/null; then
			py=$p
			log "using the openpyxl of $p ($($p -c 'import openpyxl; print(openpyxl.__version__)'))"
			break
		fi
	done
	[ -n "$py" ] || log "no python3 with openpyxl (Debian: apt-get install python3-openpyxl): no openpyxl anchor"
fi

sim_pid=""
stop_sim() { if [ -n "$sim_pid" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; sim_pid=""; fi; }
trap stop_sim EXIT

# measure NAME [--clean PATH] CMD...: runs CMD under /usr/bin/time -v
# $runs times (removing PATH, what CMD writes, before each), records the
# median wall seconds and the median peak RSS (MiB) in $results, and fails
# the bench when CMD fails. One run's peak RSS varies by 15% and more at
# 5,000 records (when the collector runs): BENCH_RUNS=3 makes ratios
# worth reading.
results=""
runs=${BENCH_RUNS:-1}
measure() {
	local name=$1 clean=""
	shift
	if [ "$1" = --clean ]; then
		clean=$2
		shift 2
	fi
	local t="$work/time.txt" walls="" rsss="" i
	for ((i = 0; i < runs; i++)); do
		[ -z "$clean" ] || rm -rf "$clean"
		if ! /usr/bin/time -v -o "$t" timeout "$timeout_s" "$@" >"$work/out.txt" 2>"$work/err.txt"; then
			log "$name failed:"
			tail -5 "$work/err.txt" >&2
			exit 1
		fi
		walls+="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$t")"$'\n'
		rsss+="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$t")"$'\n'
	done
	local wall rss all
	wall=$(median <<<"$walls")
	rss=$(median <<<"$rsss" | awk '{printf "%.0f", $1}')
	all=$(tr '\n' ' ' <<<"$rsss")
	results+="$name $wall $rss"$'\n'
	log "$(printf '%-28s %8.2f s %7d MiB   (RSS of each run: %s)' "$name" "$wall" "$rss" "$all")"
}

# median: the median of the numbers on stdin, one a line.
median() { grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }

# only DIR FORMAT: a copy of the snapshot DIR (hard links) holding FORMAT's files alone.
only() {
	local dir=$1 format=$2 out=$work/only-$2
	rm -rf "$out"
	cp -al "$dir" "$out"
	case $format in
	json) rm -rf "$out/parquet" "$out/snapshot.xlsx" ;;
	parquet) rm -rf "$out/json" "$out/snapshot.xlsx" ;;
	xlsx) rm -rf "$out/json" "$out/parquet" ;;
	esac
	printf '%s' "$out"
}

row() { # name anchor: one line of the table
	local name=$1 anchor=${2:-}
	local wall rss awall arss
	read -r wall rss < <(awk -v n="$name" '$1==n {print $2, $3}' <<<"$results")
	[ -n "${wall:-}" ] || return 0
	if [ -n "$anchor" ]; then
		read -r awall arss < <(awk -v n="$anchor" '$1==n {print $2, $3}' <<<"$results")
	fi
	if [ -n "$anchor" ] && [ -n "${awall:-}" ]; then
		printf '| %-24s | %8.2f | %7d | %-22s | %6.1f× | %6.1f× |\n' "$name" "$wall" "$rss" "$anchor" \
			"$(awk -v a="$wall" -v b="$awall" 'BEGIN{print (b>0 ? a/b : 0)}')" "$(awk -v a="$rss" -v b="$arss" 'BEGIN{print (b>0 ? a/b : 0)}')"
	else
		printf '| %-24s | %8.2f | %7d | %-22s | %7s | %7s |\n' "$name" "$wall" "$rss" "" "" ""
	fi
}

for records in "${@:-5000}"; do
	n=$(((records + 19) / 20))
	rm -rf "$work"
	mkdir -p "$work"
	results=""
	log "== $records records: scale:$n"
	"$bin" sim --addr 127.0.0.1:0 --dataset "scale:$n" --rate-limit 0 >"$work/sim.txt" 2>"$work/sim.err" &
	sim_pid=$!
	for _ in $(seq 600); do
		grep -q 'export HALO_URL' "$work/sim.txt" 2>/dev/null && break
		sleep 0.2
	done
	eval "$(grep 'export HALO_URL' "$work/sim.txt")"
	snap=$work/snap
	measure export --clean "$snap" "$bin" export --out "$snap" --format json,parquet,xlsx --rate 0 --concurrency 8
	stop_sim
	got=$(grep -o 'records=[0-9]*' "$work/err.txt" | head -1)
	people=$(grep -o 'people=[0-9]*' "$work/err.txt" | head -1)
	sizes="json $(du -sm "$snap/json" | cut -f1) MiB, parquet $(du -sm "$snap/parquet" | cut -f1) MiB, xlsx $(du -sm "$snap/snapshot.xlsx" | cut -f1) MiB"

	for from in json parquet xlsx; do
		src=$(only "$snap" "$from")
		for to in json parquet xlsx; do
			[ "$from" = "$to" ] && continue
			measure "convert-$from-$to" --clean "$work/conv-$from-$to" "$bin" convert "$src" --to "$to" --out "$work/conv-$from-$to"
			rm -rf "$work/conv-$from-$to"
		done
	done
	measure verify "$bin" verify "$snap"
	measure diff "$bin" diff "$snap" "$snap"

	if [ -n "$duck" ]; then
		mkdir -p "$work/duck"
		measure duckdb-json-parquet node "$root/bench/duckdb.mjs" "$snap/json" "$work/duck"
	fi
	if [ -n "$py" ]; then
		measure openpyxl-json-xlsx $py "$root/bench/openpyxl_anchor.py" write "$snap/json" "$work/openpyxl.xlsx"
		measure openpyxl-read-xlsx $py "$root/bench/openpyxl_anchor.py" read "$snap/snapshot.xlsx"
	fi

	echo
	echo "### $records records (scale:$n: ${got#records=} records, ${people#people=} people; $sizes)"
	echo
	printf '| %-24s | %8s | %7s | %-22s | %7s | %7s |\n' step "wall s" "RSS MiB" anchor "time" "RSS"
	printf '|%s|%s|%s|%s|%s|%s|\n' "--------------------------" "----------" "---------" "------------------------" "---------" "---------"
	row export
	row convert-json-parquet duckdb-json-parquet
	row convert-json-xlsx openpyxl-json-xlsx
	row convert-parquet-json
	row convert-parquet-xlsx openpyxl-json-xlsx
	row convert-xlsx-json openpyxl-read-xlsx
	row convert-xlsx-parquet openpyxl-read-xlsx
	row verify
	row diff
	row duckdb-json-parquet
	row openpyxl-json-xlsx
	row openpyxl-read-xlsx
	[ "${BENCH_KEEP:-}" = 1 ] || rm -rf "$work"
done
