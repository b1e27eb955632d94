#!/usr/bin/env bash
# Regenerates the plan fixtures with the real terraform binary: for each configuration,
# apply phase 1 into a throwaway local state when the fixture needs prior state, plan
# phase 2 into a saved plan, and write `terraform show -json` of it.
#
#   testdata/plans/generate.sh            # all fixtures
#   testdata/plans/generate.sh creates    # one fixture
#
# "drift" needs moto_server (pip install 'moto[server]==5.2.1') and the AWS provider in the
# filesystem mirror at /opt/tf-plugins (or TF_PLUGIN_MIRROR). "large" writes large-2000
# and large-5000 gzipped: real terraform runs with count (on 2 cores about 2 min for 2000
# and 15 min for 5000, mostly the phase-1 apply).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
work=$(mktemp -d)
moto_pid=
cleanup() {
  if [[ -n $moto_pid ]]; then kill "$moto_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/tf.rc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/tf.rc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# run NAME PRIOR_STATE(yes|no) [extra terraform -var args...] [-- hook command run between phases]
run() {
  local name=$1 prior=$2 out=$3; shift 3
  local hook=()
  local vars=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; hook=("$@"); break; fi
    vars+=("$1"); shift
  done
  local dir="$work/$out"
  # *.phase1.tf exist only for the phase-1 apply, *.phase2.tf only for the phase-2 plan.
  mkdir -p "$dir"
  for f in "$here/$name"/*.tf; do
    [[ $f == *.phase2.tf ]] || cp "$f" "$dir/"
  done
  (
    cd "$dir"
    terraform init -input=false -no-color >/dev/null
    if [[ $prior == yes ]]; then
      terraform apply -input=false -no-color -auto-approve -parallelism=50 -var phase=1 "${vars[@]}" >/dev/null
    fi
    rm -f ./*.phase1.tf
    for f in "$here/$name"/*.phase2.tf; do
      [[ -e $f ]] && cp "$f" .
    done
    if ((${#hook[@]})); then "${hook[@]}"; fi
    terraform plan -input=false -no-color -parallelism=50 -var phase=2 "${vars[@]}" -out=plan.tfplan >/dev/null
    terraform show -json plan.tfplan >plan.json
  )
  if [[ $out == large-* ]]; then
    python3 -m json.tool --indent 1 "$dir/plan.json" | gzip -9n >"$here/$out.json.gz"
  else
    python3 -m json.tool --indent 2 "$dir/plan.json" >"$here/$out.json"
  fi
  echo "wrote $out"
}

# rerun OUT plans an already-generated fixture's phase 2 again: same change, new timestamp.
rerun() {
  local out=$1
  sleep 1
  (
    cd "$work/$out"
    terraform plan -input=false -no-color -var phase=2 -out=again.tfplan >/dev/null
    terraform show -json again.tfplan >again.json
  )
  python3 -m json.tool --indent 2 "$work/$out/again.json" >"$here/$out-rerun.json"
  echo "wrote $out-rerun"
}

start_moto() {
  command -v moto_server >/dev/null || { echo "moto_server missing: pip install 'moto[server]==5.2.1'" >&2; exit 1; }
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
  moto_pid=$!
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  for _ in $(seq 100); do curl -sf "$AWS_ENDPOINT_URL/moto-api/" >/dev/null && return; sleep 0.2; done
  echo "moto_server did not start: $(cat "$work/moto.log")" >&2; exit 1
}

drift_outside_terraform() {
  aws ssm put-parameter --name /jitsi/advertise_ips --type String --overwrite \
    --value 203.0.113.9 >/dev/null
}

want=${1:-all}
sel() { [[ $want == all || $want == "$1" ]]; }
sel nochanges && run nochanges yes nochanges
sel creates && run creates no creates
if sel replacedelete; then run replacedelete yes replacedelete; rerun replacedelete; fi
sel outputsonly && run outputsonly yes outputsonly
sel forget && run forget yes forget
sel secrets && run secrets yes secrets
if sel drift; then start_moto; run drift yes drift -- drift_outside_terraform; fi
if sel large; then
  run large yes large-2000 -var n=2000
  run large yes large-5000 -var n=5000
fi
