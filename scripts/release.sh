#!/usr/bin/env bash
# Release builds of jitsictl (.github/workflows/release.yml runs this).
#
#   scripts/release.sh build VERSION DIR    archives for every platform + DIR/SHA256SUMS
#   scripts/release.sh publish VERSION DIR  a GitHub release for tag VERSION with DIR's files
#
# build is reproducible: the same commit gives byte-identical archives on any
# machine with the same Go (-trimpath, no build id, no VCS stamp, version and
# commit from -ldflags, file times and owners fixed in the tarball).
# publish creates the release as a draft, uploads every file and only then
# publishes it, so no one ever downloads from a release with missing files.
# Environment: RELEASE_PLATFORMS (default: the four below); for publish
# GITHUB_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_SHA.
set -euo pipefail

die() { echo "::error title=release::$*" >&2; exit 1; }

mode=${1:-}
version=${2:-}
dir=${3:-}
[[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "version '$version' is not a tag like v1.2.3"
[ -n "$dir" ] || die "usage: $0 build|publish VERSION DIR"

build() {
  local commit epoch pkg=github.com/jitsictl/jitsictl/internal/buildinfo
  commit=$(git rev-parse HEAD)
  epoch=$(git log -1 --format=%ct HEAD)
  mkdir -p "$dir"
  tmp=$(mktemp -d) # global: the EXIT trap runs after build returns
  trap 'rm -rf "$tmp"' EXIT
  for platform in ${RELEASE_PLATFORMS:-linux/amd64 linux/arm64 darwin/arm64 darwin/amd64}; do
    local goos=${platform%/*} goarch=${platform#*/}
    local archive="jitsictl_${version}_${goos}_${goarch}.tar.gz"
    echo "--- $archive"
    rm -rf "${tmp:?}/$platform" && mkdir -p "$tmp/$platform"
    CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
      -ldflags "-s -w -buildid= -X $pkg.version=$version -X $pkg.commit=$commit" \
      -o "$tmp/$platform/jitsictl" ./cmd/jitsictl
    chmod 0755 "$tmp/$platform/jitsictl"
    tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
      -C "$tmp/$platform" -cf - jitsictl | gzip -n -9 >"$dir/$archive"
  done
  (cd "$dir" && sha256sum jitsictl_"${version}"_*.tar.gz >SHA256SUMS)
  cat "$dir/SHA256SUMS"
}

# api METHOD URL [curl args...] prints the response body; fails on HTTP errors with GitHub's message.
api() {
  local method=$1 url=$2 out status
  shift 2
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" \
    -H "Authorization: Bearer $GITHUB_TOKEN" -H "Accept: application/vnd.github+json" \
    -H "X-GitHub-Api-Version: 2022-11-28" "$@" "$url") || die "$method $url: $(cat "$out")"
  case "$status" in
    2??) cat "$out"; rm -f "$out" ;;
    *) die "$method $url: HTTP $status: $(jq -r '.message // empty' "$out" 2>/dev/null || cat "$out")" ;;
  esac
}

publish() {
  : "${GITHUB_TOKEN:?GITHUB_TOKEN is not set}" "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
  local base=${GITHUB_API_URL:-https://api.github.com} release upload id f
  [ -f "$dir/SHA256SUMS" ] || die "$dir/SHA256SUMS is missing: run build first"
  release=$(api POST "$base/repos/$GITHUB_REPOSITORY/releases" -H "Content-Type: application/json" \
    --data "$(jq -n --arg tag "$version" --arg sha "${GITHUB_SHA:-}" \
      '{tag_name: $tag, name: $tag, draft: true} + (if $sha == "" then {} else {target_commitish: $sha} end)')")
  id=$(jq -r .id <<<"$release")
  upload=$(jq -r .upload_url <<<"$release")
  upload=${upload%%\{*}
  for f in "$dir"/jitsictl_"${version}"_*.tar.gz "$dir/SHA256SUMS"; do
    echo "--- uploading $(basename "$f")"
    api POST "$upload?name=$(basename "$f")" -H "Content-Type: application/octet-stream" --data-binary "@$f" >/dev/null
  done
  api PATCH "$base/repos/$GITHUB_REPOSITORY/releases/$id" -H "Content-Type: application/json" --data '{"draft": false}' \
    | jq -r '"published " + .html_url'
}

case "$mode" in
  build) build ;;
  publish) publish ;;
  *) die "usage: $0 build|publish VERSION DIR" ;;
esac
