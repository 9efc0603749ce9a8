// Long fuzz run (npm run fuzz): 20,000+ generated requests against the real app, counts per status and route, non-zero exit on any failure.
import { checkHealthy, formatReport, runFuzz, seedFromEnv, startFuzzTarget } from '../test/fuzz/fuzz-harness';

const seed = seedFromEnv(Date.now() % 2_147_483_647);
const requests = Number(process.env.FUZZ_REQUESTS ?? 20_000);
const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 8);
const log = (line: string) => console.log(line);

async function main(): Promise<number> {
  log(`fuzz: seed ${seed} (replay with FUZZ_SEED=${seed}), ${requests} requests, concurrency ${concurrency}`);
  const target = await startFuzzTarget(log);
  try {
    const report = await runFuzz(target, { seed, requests, authSlice: 0.1, concurrency, log, progressEvery: 2000 });
    const health = await checkHealthy(target, Date.now());
    log(formatReport(report, { routes: true, slowest: 12 }));
    for (const l of health.lines) log(`health: ${l}`);
    for (const p of health.problems) log(`health problem: ${p}`);
    const failed = report.findings.length > 0 || health.problems.length > 0;
    log(failed ? `FAIL: ${report.findings.length} findings, ${health.problems.length} health problems (seed ${seed})` : `OK: no 5xx, no hangs, healthy afterwards (seed ${seed})`);
    return failed ? 1 : 0;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
