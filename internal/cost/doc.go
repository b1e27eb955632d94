// Package cost is jitsictl's cost model: an embedded, dated AWS price table
// (prices.json, four regions, a source and date per item), the running, idle
// and monthly arithmetic of the on-demand design, the break-even against
// always-on designs, the seed's figures beside corrected ones, inventory
// readers that measure what stays while idle, Price List refreshes, Cost
// Explorer actuals, and the deltas deploy plan and session close report.
//
// Decisions a reader should know:
//
//   - Money is integer nano-dollars and rounds half away from zero, so the
//     seed's figures are reproduced exactly with its own rounding (see
//     SeedFigures) rather than approximately.
//   - Billing granularity: Fargate per second with a one-minute minimum; the
//     NLB per started hour (61 minutes pay two); public IPv4 per
//     address-hour pro rata, so per second; NLCU, data transfer and log
//     ingestion by volume. "GB" is 2^30 bytes, as AWS bills storage.
//   - A meeting's session bills more than the meeting: NLBOverhead and
//     TaskOverhead (from the timings in field-facts) are added to each
//     meeting in monthly figures and the break-even.
//   - Break-even counts only what differs between the designs: traffic and
//     the idle items are paid in both and cancel.
//   - Data transfer out: the account-wide free 100 GB a month is applied to
//     months, not to a single hour or session (it is shared with everything
//     else in the account).
//   - The Price List API is the one AWS part tested with a stand-in
//     (refresh_test.go), because moto does not emulate it; inventory and
//     Cost Explorer are tested against moto through internal/testbed.
package cost
