#!/usr/bin/env bash
# Side by side, in one run: how long a composite action (actions/*) takes from
# the start of its job to jitsictl's first line (`jitsictl version`), when it
#   1. downloads the release binary (served from this machine), checks it
#      against SHA256SUMS and unpacks it into an empty tool cache, and when it
#   2. builds jitsictl from source with an empty Go build cache, as every run
#      did before the release binaries (setup-go restores no build cache for
#      a first run; the module cache is kept warm here, so the build figure is
#      a lower bound for a runner, which also downloads the modules).
# Both go through actions/install/install.sh, the script the actions run.
# Prints both times and the ratio. The cold build costs minutes of CPU.
#
#   scripts/bench-action-start.sh [DOWNLOAD_RUNS]   (default 5; the median is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-5}
version=v0.0.0-bench
arch=$(go env GOARCH)
goroot=$(go env GOROOT)
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc; }

echo "--- preparing release $version for linux/$arch (not timed)"
dl="$work/www/jitsictl/jitsictl/releases/download/$version"
mkdir -p "$dl"
RELEASE_PLATFORMS="linux/$arch" scripts/release.sh build "$version" "$dl" >/dev/null

# A local stand-in for github.com's release downloads.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done

# runner_env prints the environment a job's step sees, for run $1.
runner_env() {
  local d="$work/run-$1"
  mkdir -p "$d/tmp"
  echo "HOME=$d" "RUNNER_TOOL_CACHE=$d/toolcache" "RUNNER_TEMP=$d/tmp" "RUNNER_OS=Linux" \
    "RUNNER_ARCH=$([ "$arch" = arm64 ] && echo ARM64 || echo X64)" \
    "GITHUB_OUTPUT=$d/output" "GITHUB_PATH=$d/path" "GITHUB_SERVER_URL=http://127.0.0.1:$port" \
    "JITSICTL_REPOSITORY=jitsictl/jitsictl" "JITSICTL_SOURCE=$root"
}

# first_line_after START CMD... runs CMD and prints the seconds from START to
# the first output line naming jitsictl's version.
first_line_after() {
  local start=$1 line
  shift
  while IFS= read -r line; do
    if [[ "$line" == "jitsictl v"* || "$line" == "jitsictl dev"* ]]; then
      elapsed "$start" "$(now)"
      cat >"$work/rest.log" # the rest, e.g. the CPU line of `time`
      return 0
    fi
  done < <("$@" 2>&1)
  echo "no version line" >&2
  return 1
}

echo "--- download path: $runs runs, empty tool cache each"
times=()
for i in $(seq "$runs"); do
  start=$(now)
  # shellcheck disable=SC2046 # runner_env prints KEY=VALUE words without spaces
  t=$(first_line_after "$start" env -i $(runner_env "d$i") PATH=/usr/bin:/bin JITSICTL_REF="$version" bash actions/install/install.sh)
  times+=("$t")
  printf '  run %d: %.2f s\n' "$i" "$t"
done
download=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")

echo "--- source build path: go build with an empty GOCACHE (minutes)"
start=$(now)
# shellcheck disable=SC2046,SC2016
build=$(first_line_after "$start" env -i $(runner_env build) PATH="$goroot/bin:/usr/bin:/bin" \
  GOCACHE="$work/gocache" GOMODCACHE="$(go env GOMODCACHE)" GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off \
  bash -c 'TIMEFORMAT="cpu %U %S"; time bash actions/install/install.sh build')
cpu=$(awk '$1 == "cpu" { print $2 + $3 }' "$work/rest.log")

printf '\njob start -> first jitsictl line\n'
printf '  downloaded release binary (median of %d): %6.2f s\n' "$runs" "$download"
printf '  go build, cold build cache:              %6.2f s (%.0f CPU-s)\n' "$build" "${cpu:-0}"
printf '  ratio: %.0fx faster\n' "$(echo "$build / $download" | bc -l)"
printf '  machine: %s CPUs, load average %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
