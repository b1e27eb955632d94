package plan

// The plan fixtures under testdata/plans are real `terraform show -json` output;
// regenerate them (terraform, and for drift.json moto_server, on PATH) with go generate.
//go:generate ../../testdata/plans/generate.sh
