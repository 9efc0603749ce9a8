// Bounded property-based fuzz of every contract operation and raw route (real: app over HTTP on 127.0.0.1:0, SQLite in a temp dir,
// ffmpeg recording a pattern camera, ffprobe, exports and clips; mock: none). FUZZ_SEED overrides the seed; `npm run fuzz` is the long run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restOps } from './contract-arbitraries';
import { checkHealthy, formatReport, runFuzz, seedFromEnv, startFuzzTarget, type FuzzReport, type FuzzTarget, type HealthCheck } from './fuzz-harness';
import type { Finding, FindingKind } from './fuzz-oracle';

const SEED = seedFromEnv(20_240_806);
const REQUESTS = 2000;

let target: FuzzTarget;
let report: FuzzReport;
let health: HealthCheck;

const log = (line: string) => console.log(`[fuzz] ${line}`);
const of = (kind: FindingKind): string[] => report.findings.filter((f: Finding) => f.kind === kind).map((f) => `${f.route}: ${f.problem}\n  request:  ${f.request}\n  response: ${f.response}`);

beforeAll(async () => {
  log(`seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  target = await startFuzzTarget(log);
  report = await runFuzz(target, { seed: SEED, requests: REQUESTS, authSlice: 0.15, concurrency: 8, log });
  health = await checkHealthy(target, Date.now());
  log(formatReport(report, { routes: false }));
  for (const l of health.lines) log(l);
}, 150_000);

afterAll(async () => {
  await target?.stop();
});

describe(`contract fuzz (seed ${SEED})`, () => {
  it('sent the whole bounded run over every contract operation', () => {
    expect(report.requests).toBeGreaterThanOrEqual(REQUESTS);
    expect(report.covered.contract).toEqual([...restOps].sort());
    expect(report.checked.invalidInputs, 'inputs the validation oracle judged').toBeGreaterThan(25);
    expect(report.checked.refusals, 'requests the auth oracle judged').toBeGreaterThan(100);
  });

  it('answers no request with a 5xx (beyond documented 503s)', () => {
    expect(of('5xx')).toEqual([]);
  });

  it('answers every request within its budget, on an open connection', () => {
    expect([...of('hang'), ...of('no-response')]).toEqual([]);
  });

  it('gives every error the Iris shape {detail: string | [{loc, msg, type}]} as JSON', () => {
    expect(of('error-shape')).toEqual([]);
  });

  it('answers 422 to every JSON input the contract rejects, and the contract status to every success', () => {
    expect([...of('validation'), ...of('status')]).toEqual([]);
  });

  it('refuses every request without a valid credential (no key, wrong, stale, malformed, stale session, media token on the API)', () => {
    expect(of('auth')).toEqual([]);
  });

  it('changes only the settings a partial PUT /api/settings names', () => {
    expect(of('partial-update')).toEqual([]);
  });

  it("keeps issue 8's guarantees: no settings change wipes recordings without confirm, no ffmpeg_path over REST, no PIDs or errors on /health, no foreign-Origin writes", () => {
    expect(of('guarantee')).toEqual([]);
  });

  it('is healthy afterwards: settings restored, /health ok, the anchor camera online and still writing segments', () => {
    expect([...health.problems, ...of('health')]).toEqual([]);
  });
});
