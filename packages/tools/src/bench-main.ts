#!/usr/bin/env node
import { benchExitCode, defaultRepoRoot, formatBenchTable, runBench } from './bench.js';
import { parseBenchArgs } from './bench-args.js';
import { isToolsError } from './errors.js';

/** `pnpm bench`: progress on stderr, the table on stdout, and as the very last line one JSON object. */
async function main(): Promise<void> {
  const repoRoot = defaultRepoRoot();
  const options = parseBenchArgs(process.argv.slice(2), repoRoot);
  const report = await runBench(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${formatBenchTable(report)}\n`);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = benchExitCode(report);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = isToolsError(error) && error.code === 'bad-usage' ? 2 : 1;
});
