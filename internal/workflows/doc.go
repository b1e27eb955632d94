// Package workflows holds the tests that run the repository's real GitHub
// workflows (.github/workflows) with act on this machine's host, against the
// AWS emulator and a fake GitHub API, and lint them with actionlint. The
// actions a runner downloads (checkout, setup-go, configure-aws-credentials,
// upload-artifact) are replaced by the local stand-ins in testdata/actions.
package workflows
