// One plain block per test run for whoever reads the CI log: the counts from vitest's JSON report, then each
// failure by name with the first lines of its message (CI keeps only the log's tail, and the reporter's own
// failure list is far above it).
// usage: node .ci/summary.js <label> <report.json>
import { readFileSync } from 'node:fs';

const [label, report] = process.argv.slice(2);
const r = JSON.parse(readFileSync(report, 'utf8'));
console.log(`${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
const short = (text) => String(text ?? '').split('\n').slice(0, 3).join('\n    ');
const rel = (name) => name.replace(process.cwd() + '/', '');
for (const f of r.testResults) {
  const failed = f.assertionResults.filter((t) => t.status === 'failed');
  // A file can fail with no failed test: an error in a hook or at import.
  if (f.status === 'failed' && failed.length === 0) console.log(`  FAILED ${rel(f.name)}\n    ${short(f.message)}`);
  for (const t of failed) console.log(`  FAILED ${rel(f.name)} > ${t.fullName}\n    ${short(t.failureMessages[0])}`);
}
