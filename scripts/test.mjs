#!/usr/bin/env node
// `npm test`: every suite, one closing line `N passed, N failed, N skipped` summing them all,
// and a non-zero exit when anything failed. Steps: lint, typecheck, build, unit + integration
// (vitest), the keychain suite (vitest inside a private D-Bus session with gnome-keyring),
// the browser end-to-end suite (Playwright). A step that is not a test runner (lint, typecheck,
// build) counts as one test. `npm test -- --only=unit,e2e` runs a subset.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
const out = join(root, 'test-results');
mkdirSync(out, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (step) => !only || only.includes(step);

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function step(name, cmd, args) {
  if (!want(name)) return;
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const code = run(cmd, args);
  if (code === 0) totals.passed += 1; else totals.failed += 1;
  lines.push(`${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`}`);
}

function hasFiles(dir, re) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true }).some((f) => re.test(String(f)));
}

function vitestSuite(name, wrapper, env) {
  if (!want(name)) return;
  const report = join(out, `${name}.json`);
  rmSync(report, { force: true });
  const args = ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  console.log(`\n=== ${name}: vitest ${args.join(' ')}`);
  const code = wrapper ? run(wrapper, [bin('vitest'), ...args], env) : run(bin('vitest'), args, env);
  if (!existsSync(report)) {
    totals.failed += 1;
    lines.push(`${name}: FAILED (exit ${code}, no report)`);
    return;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const failedSuites = (r.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed')).length;
  const p = r.numPassedTests ?? 0;
  const f = (r.numFailedTests ?? 0) + failedSuites + (code !== 0 && !r.numFailedTests && !failedSuites ? 1 : 0);
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  totals.passed += p; totals.failed += f; totals.skipped += s;
  lines.push(`${name}: ${p} passed, ${f} failed, ${s} skipped`);
}

function playwrightSuite(name) {
  if (!want(name)) return;
  if (!hasFiles('test/e2e', /\.spec\.ts$/) && !hasFiles('test/electron', /\.spec\.ts$/)) return;
  const report = join(out, 'playwright.json');
  rmSync(report, { force: true });
  console.log(`\n=== ${name}: playwright test`);
  const code = run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: report });
  if (!existsSync(report)) {
    totals.failed += 1;
    lines.push(`${name}: FAILED (exit ${code}, no report)`);
    return;
  }
  const st = JSON.parse(readFileSync(report, 'utf8')).stats ?? {};
  const p = (st.expected ?? 0) + (st.flaky ?? 0);
  const f = (st.unexpected ?? 0) + (code !== 0 && !st.unexpected ? 1 : 0);
  const s = st.skipped ?? 0;
  totals.passed += p; totals.failed += f; totals.skipped += s;
  lines.push(`${name}: ${p} passed, ${f} failed, ${s} skipped`);
}

step('lint', bin('eslint'), ['.']);
step('typecheck', 'npm', ['run', '--silent', 'typecheck']);
// The app bundles and the CLI/emulator bundles (npm run build), before the suites that run them.
step('build', 'npm', ['run', '--silent', 'build']);
vitestSuite('unit');
if (hasFiles('test/keyring', /\.test\.ts$/)) vitestSuite('keyring', join(root, 'scripts/with-keyring.sh'), { KEYRING_SUITE: '1' });
playwrightSuite('e2e');

console.log('\n=== summary');
for (const l of lines) console.log(l);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
