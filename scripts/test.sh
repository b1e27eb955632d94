#!/usr/bin/env bash
# The project's test command (README). With --install it first installs the
# test tools that a fresh machine lacks: coturn (a real STUN server), nftables
# (the probe tests' DROP rule) and shellcheck (Debian); act and actionlint
# (Go); GitHub's OpenAPI description and an IAM policy simulator (npm).
# moto_server, Terraform and the AWS provider mirror come with the machine
# image; their absence is an error.
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
[ "${1:-}" = "--install" ] && { install=1; shift; }

need() { command -v "$1" >/dev/null 2>&1; }
die() { echo "scripts/test.sh: $*" >&2; exit 1; }
# as_root runs a command as root: directly when this is root (this machine
# kind), through passwordless sudo for a runner user (GitHub's runners).
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif need sudo && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "installing packages needs root: run as root or give this user passwordless sudo"
  fi
}

# go.mod's toolchain line names the patched Go release the tests build with;
# this machine kind ships an older Go with GOTOOLCHAIN=local, so allow the
# switch (the toolchain comes from the Go module proxy, like any module).
export GOTOOLCHAIN=auto
gopath=$(go env GOPATH)
export PATH="$PATH:$gopath/bin"
if [ "$install" = 1 ]; then
  missing=()
  need turnserver || missing+=(coturn)
  need nft || missing+=(nftables)
  need shellcheck || missing+=(shellcheck)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "--- installing ${missing[*]} (Debian)"
    (as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
      || die "could not install ${missing[*]}: apt-get install ${missing[*]}"
  fi
  need actionlint || GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
  need act || GOFLAGS=-mod=mod go install github.com/nektos/act@v0.2.89
  if [ ! -f .cache/octokit-openapi/node_modules/@octokit/openapi/package.json ]; then
    echo "--- installing @octokit/openapi (GitHub's REST description, for the fake GitHub)"
    npm install --silent --no-audit --no-fund --prefix .cache/octokit-openapi @octokit/openapi@23.0.2 >/dev/null \
      || die "could not install @octokit/openapi from npm"
  fi
  if [ ! -f internal/bootstrap/testdata/iamsim/node_modules/@cloud-copilot/iam-simulate/package.json ]; then
    echo "--- installing the IAM policy simulator (npm, test-only)"
    npm ci --silent --no-audit --no-fund --prefix internal/bootstrap/testdata/iamsim >/dev/null \
      || die "could not install the IAM policy simulator"
  fi
fi

need terraform || die "terraform not found: install Terraform >= 1.11"
need moto_server || die "moto_server not found: pip install 'moto[server]==5.2.1'"
need turnserver || die "turnserver not found: apt-get install coturn (or run scripts/test.sh --install)"
need nft || die "nft not found: apt-get install nftables (or run scripts/test.sh --install)"
need node || die "node not found: apt-get install nodejs npm"

echo "--- static checks"
bad=$(git ls-files -z '*.go' | xargs -0 gofmt -l)
[ -z "$bad" ] || die "gofmt would change: $bad"
go vet ./...
terraform fmt -check -recursive terraform >/dev/null || die "terraform fmt -check -recursive terraform fails"
if [ -d .github/workflows ] && need actionlint; then actionlint; fi

echo "--- go test"
# The long packages are the suite's critical path: internal/session (its crash test kills
# jitsictl inside applies, a score of times), internal/cli (the deploy migration, verify
# and cost, the demo: each on a moto of its own) and internal/workflows (act runs of the
# real workflows). They start first, side by side; the other packages run beside them,
# so on two cores they fill the CPU the long ones leave (much of their wall time is
# terraform and the AWS provider waiting on the emulator) instead of stretching the whole
# run. All at the same priority: with the others niced, a CPU hog at normal priority left
# them a tenth of the CPU and the run beside it stretched by a quarter of an hour.
# go test starts the runs in the order it is given them, so each list holds the costliest
# first. Every package is compiled (with -race) once first, so the two go test runs do not
# compile the same dependencies side by side; only the tests' own files are left to them. (Building the test binaries themselves first
# would link each one twice: ~85 CPU-s of linking, measured.)
# Extra arguments are go test flags for both runs (e.g. -run, -v).
mod=github.com/jitsictl/jitsictl/internal
long=("$mod/session" "$mod/cli" "$mod/workflows")
first=("$mod/stack" "$mod/bootstrap" "$mod/verify" "$mod/tf")
mapfile -t others < <(go list ./... | grep -vxF "${long[@]/#/-e}" "${first[@]/#/-e}")
rest=("${first[@]}" "${others[@]}")
# -timeout is an outer bound for a loaded machine (the demo test alone ran 20 minutes beside
# other suites); a stuck test fails a little before it, through testbed.Context.
# -ldflags=-w: no DWARF in the ~45 race-enabled test binaries (no debugger reads it;
# race reports and panics use the symbol table): a quarter less linking, ~2 CPU-s per
# large binary.
flags=(-race -ldflags=-w -count=1 -timeout 40m -parallel 8)
go build -race -ldflags=-w ./... || die "the packages do not build"
go test "${flags[@]}" -p "${#long[@]}" "$@" "${long[@]}" &
long_pid=$!
trap 'kill "$long_pid" 2>/dev/null || true' EXIT
status=0
go test "${flags[@]}" -p 3 "$@" "${rest[@]}" || status=$?
wait "$long_pid" || status=$?
trap - EXIT
exit "$status"
