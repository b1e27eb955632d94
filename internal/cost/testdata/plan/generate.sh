#!/usr/bin/env bash
# Regenerates ../plan-change.json with the real terraform binary against a
# moto_server it starts on loopback: apply phase 1 into a throwaway local
# state, plan phase 2, write `terraform show -json` of the saved plan.
# Needs moto_server (pip install 'moto[server]==5.2.1') and the AWS provider
# 5.100.0 in the filesystem mirror at /opt/tf-plugins (or TF_PLUGIN_MIRROR).
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

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/moto-api/data.json" >/dev/null && break; sleep 0.2; done

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
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1

cp "$here/main.tf" "$work/"
cd "$work"
terraform init -input=false >/dev/null
terraform apply -input=false -auto-approve -var phase=1 >/dev/null
terraform plan -input=false -var phase=2 -out=phase2.tfplan >/dev/null
terraform show -json phase2.tfplan | python3 -m json.tool --indent 1 >"$here/../plan-change.json"
echo "wrote $here/../plan-change.json"
