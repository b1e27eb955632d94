#!/usr/bin/env bash
# Puts jitsictl on PATH for the composite actions (actions/*, action.yml):
# the release binary for this runner's OS and architecture, checked against
# the release's SHA256SUMS and kept in the runner tool cache, or - only when
# no release fits or the caller asks for it - a build from the action's source.
#
#   install.sh          download (or decide to build); sets the step output build=true|false
#   install.sh build    build from JITSICTL_SOURCE with the Go that setup-go put on PATH
#
# Inputs come from the environment only (never spliced into the script):
#   JITSICTL_REPOSITORY        owner/repo of the action (github.action_repository)
#   JITSICTL_REF               the ref the action was used at (github.action_ref): v1.2.3, v1, a commit
#   JITSICTL_ACTION_PATH       where the runner put the action (github.action_path)
#   JITSICTL_SOURCE            the action repository's root (go.mod), for builds and local tags
#   JITSICTL_VERSION           a release tag to use instead of the one JITSICTL_REF names
#   JITSICTL_BUILD_FROM_SOURCE true: skip the download and build
#   JITSICTL_STACK_DIR         the Terraform root the action runs in (its working-directory input)
#   GITHUB_SERVER_URL, RUNNER_TOOL_CACHE, RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT, GITHUB_PATH
set -euo pipefail

say() { echo "jitsictl install: $*"; }
fail() { echo "::error title=jitsictl install::$*"; exit 1; }
output() { [ -z "${GITHUB_OUTPUT:-}" ] || echo "$1=$2" >>"$GITHUB_OUTPUT"; }
on_path() { [ -z "${GITHUB_PATH:-}" ] || echo "$1" >>"$GITHUB_PATH"; }

semver='^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$'
repo=${JITSICTL_REPOSITORY:-}
[ -n "$repo" ] || repo=jitsictl/jitsictl
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "repository '$repo' is not owner/name"
server=${GITHUB_SERVER_URL:-https://github.com}
source_dir=${JITSICTL_SOURCE:-}

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1" | cut -d' ' -f1; else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# platform prints the release's os_arch for this runner.
platform() {
  local os arch
  case "${RUNNER_OS:-$(uname -s)}" in
    Linux) os=linux ;;
    macOS | Darwin) os=darwin ;;
    *) fail "no jitsictl release for runner OS ${RUNNER_OS:-$(uname -s)}: use a Linux or macOS runner" ;;
  esac
  case "${RUNNER_ARCH:-$(uname -m)}" in
    X64 | x86_64 | amd64) arch=amd64 ;;
    ARM64 | aarch64 | arm64) arch=arm64 ;;
    *) fail "no jitsictl release for runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
  esac
  echo "${os}_${arch}"
}

# release_for_commit prints the highest vX.Y.Z tag of the repository that
# points at the commit (or at the commit the tag $1 points at): a moving
# major tag (@v1) or a commit pin (@<sha>) then uses that release's binary.
release_for_commit() {
  local ref=$1 refs
  refs=$(git ls-remote --tags "$server/$repo.git" 2>/dev/null) || return 0
  # Peeled lines (tag^{}) name the commit of an annotated tag.
  awk -v ref="$ref" '
    { name = $2; sub("^refs/tags/", "", name); peeled = sub("\\^\\{\\}$", "", name)
      if (peeled || !(name in commit)) commit[name] = $1 }
    END {
      # mawk, the awk of Ubuntu, has no {n} intervals.
      want = (length(ref) == 40 && ref ~ /^[0-9a-f]+$/) ? ref : commit[ref]
      if (want == "") exit
      for (n in commit) if (commit[n] == want && n ~ /^v[0-9]+\.[0-9]+\.[0-9]+$/) print n
    }' <<<"$refs" | sort -V | tail -n 1
}

# resolve sets version to the release tag to download, or to nothing (build instead).
resolve() {
  local ref=${JITSICTL_REF:-}
  version=
  if [ -n "${JITSICTL_VERSION:-}" ]; then
    [[ "$JITSICTL_VERSION" =~ $semver ]] || fail "version '$JITSICTL_VERSION' is not a release tag like v1.2.3"
    version=$JITSICTL_VERSION
    return
  fi
  # Composite actions do not always get github.action_ref (actions/runner#2473);
  # the runner keeps remote actions in _actions/<owner>/<repo>/<ref>/.
  if [ -z "$ref" ] && [[ "${JITSICTL_ACTION_PATH:-}" =~ /_actions/([^/]+)/([^/]+)/([^/]+)(/|$) ]]; then
    repo=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
    ref=${BASH_REMATCH[3]}
  fi
  if [ -n "$ref" ]; then
    if [[ "$ref" =~ $semver ]]; then version=$ref; else version=$(release_for_commit "$ref"); fi
    return
  fi
  # Used from a local path (uses: ./actions/...): a checkout of a release tag downloads it.
  if [ -n "$source_dir" ] && command -v git >/dev/null; then
    version=$(git -C "$source_dir" tag --points-at HEAD 2>/dev/null | grep -E "$semver" | sort -V | tail -n 1 || true)
  fi
}

download() {
  local version=$1 plat asset dir tmp want got
  plat=$(platform)
  asset="jitsictl_${version}_${plat}.tar.gz"
  dir="${RUNNER_TOOL_CACHE:?RUNNER_TOOL_CACHE is not set (not on a GitHub runner?)}/jitsictl/${version#v}/${plat}"
  if [ -f "$dir.complete" ] && [ -x "$dir/jitsictl" ]; then
    say "$asset is in the runner tool cache ($dir)"
  else
    tmp=$(mktemp -d "${RUNNER_TEMP:-/tmp}/jitsictl-download.XXXXXX")
    local base="$server/$repo/releases/download/$version"
    say "downloading $base/$asset"
    curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$base/SHA256SUMS" \
      || fail "could not download SHA256SUMS of release $version from $base: does $repo have a release $version? (set build-from-source: true to build instead)"
    curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$asset" \
      || fail "could not download $asset of release $version from $base"
    want=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")
    [ -n "$want" ] || fail "SHA256SUMS of release $version lists no $asset: refusing to run an unchecked binary"
    got=$(sha256 "$tmp/$asset")
    if [ "$got" != "$want" ]; then
      fail "$asset does not match SHA256SUMS of release $version (sha256 $got, SHA256SUMS says $want): refusing to run it. The download is corrupt or was tampered with; re-run the job, and report it if it happens again"
    fi
    say "sha256 $got matches SHA256SUMS"
    rm -rf "$dir" && mkdir -p "$dir"
    tar -xzf "$tmp/$asset" -C "$dir" jitsictl || fail "$asset holds no jitsictl binary"
    chmod 0755 "$dir/jitsictl"
    touch "$dir.complete"
    rm -rf "$tmp"
  fi
  on_path "$dir"
  output build false
  output path "$dir/jitsictl"
  "$dir/jitsictl" version
}

build() {
  [ -f "$source_dir/go.mod" ] || fail "no jitsictl source at '$source_dir' to build from"
  command -v go >/dev/null || fail "go not found: the build step needs actions/setup-go first"
  local out="${RUNNER_TEMP:-/tmp}/jitsictl-source-build"
  mkdir -p "$out"
  (cd "$source_dir" && go build -trimpath -o "$out/jitsictl" ./cmd/jitsictl) || fail "go build of jitsictl failed"
  on_path "$out"
  output path "$out/jitsictl"
  "$out/jitsictl" version
}

# stack gives a working directory without Terraform files the stack of the
# action's own release: a user's repository need hold only its tfvars and
# backend file. Files the user has are never overwritten.
stack() {
  local dir=${JITSICTL_STACK_DIR:-} from="$source_dir/terraform"
  [ -n "$dir" ] && [ -d "$from" ] || return 0
  compgen -G "$dir/*.tf" >/dev/null && return 0
  mkdir -p "$dir"
  cp -n "$from"/*.tf "$from/.terraform.lock.hcl" "$dir/"
  cp -R -n "$from/modules" "$dir/"
  # The release's image pins (jitsictl images pin); a user's own pins stay.
  if compgen -G "$from/*.auto.tfvars.json" >/dev/null; then cp -n "$from"/*.auto.tfvars.json "$dir/"; fi
  say "$dir holds no Terraform files: using the stack of this action's release"
}

case "${1:-}" in
  build)
    build
    ;;
  "")
    stack
    if [ "${JITSICTL_BUILD_FROM_SOURCE:-false}" = true ]; then
      echo "::notice title=jitsictl install::building jitsictl from source, as build-from-source asks (slow: minutes of CPU on a cold cache)"
      output build true
      exit 0
    fi
    resolve
    if [ -z "$version" ]; then
      echo "::notice title=jitsictl install::no jitsictl release matches this action (used from a local path or at an untagged ref): building from source, which takes minutes. Use jitsictl/jitsictl/actions/<name>@vX.Y.Z to download the release binary instead"
      output build true
      exit 0
    fi
    download "$version"
    ;;
  *)
    fail "unknown mode '$1' (use no argument, or build)"
    ;;
esac
