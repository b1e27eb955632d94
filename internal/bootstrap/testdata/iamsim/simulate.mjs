// Reads a JSON array of cases on stdin and prints one verdict per case on stdout.
// Each case: {id, unsafe, identityPolicies: [{name, policy}], resourcePolicy?, request}.
// "unsafe" skips iam-simulate's validation of context keys against AWS's service
// reference, which lists GitHub's custom OIDC claims but not the standard :aud/:sub keys
// that trust policies are written with; it is used for trust policies only.
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate'
import { loadPolicy } from '@cloud-copilot/iam-policy'

// iam-simulate 0.1.173's runUnsafeSimulation loads the resource policy without a name and
// then reads metadata().name, which throws; give nameless policies a name.
const policyProto = Object.getPrototypeOf(loadPolicy({ Version: '2012-10-17', Statement: [] }))
const metadata = policyProto.metadata
policyProto.metadata = function () {
  return metadata.call(this) ?? { name: 'resource-policy' }
}

let input = ''
for await (const chunk of process.stdin) input += chunk
const cases = JSON.parse(input)

const out = []
for (const c of cases) {
  const simulation = {
    identityPolicies: c.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: c.resourcePolicy,
    request: c.request,
  }
  try {
    if (c.unsafe) {
      const r = runUnsafeSimulation(simulation, {})
      out.push({ id: c.id, result: typeof r === 'string' ? r : r?.result })
    } else {
      const r = await runSimulation(simulation, {})
      if (r.resultType === 'error') {
        out.push({ id: c.id, error: JSON.stringify(r.errors) })
      } else {
        out.push({ id: c.id, result: r.overallResult, ignoredContextKeys: r.ignoredContextKeys ?? r.result?.ignoredContextKeys ?? [] })
      }
    }
  } catch (e) {
    out.push({ id: c.id, error: String(e && e.stack ? e.stack : e) })
  }
}
process.stdout.write(JSON.stringify(out))
