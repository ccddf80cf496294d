#!/usr/bin/env node
import { createLogger, progressReporter } from '@esms-numerique/agent/tools-support';
import { targetResourcesOf } from './establishments.js';
import { isToolsError } from './errors.js';
import { generateDataset } from './generate.js';
import { GENERATE_USAGE, parseGenerateArgs } from './generate-args.js';

async function main(): Promise<void> {
  const { help, progress: showProgress, ...args } = parseGenerateArgs(process.argv.slice(2));
  if (help) {
    process.stdout.write(`${GENERATE_USAGE}\n`);
    return;
  }
  const started = performance.now();
  // On a terminal a status line on standard error; elsewhere JSON phase lines (the summary is on stdout).
  const progress = progressReporter({
    logger: createLogger({ format: 'json' }),
    ...(showProgress ? {} : { mode: 'none' as const }),
  });
  progress.phaseStarted('generate', {
    expectedRecords: args.persons === undefined ? targetResourcesOf(args.size) : undefined,
  });
  let summary;
  try {
    summary = await generateDataset({ ...args, progress });
  } catch (error) {
    progress.phaseEnded('generate', { outcome: 'failed' });
    throw error;
  }
  progress.phaseEnded('generate', {
    details: { persons: summary.persons, establishments: summary.establishments },
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `generated ${summary.total} resources (${summary.persons} persons, ${summary.establishments} ESSMS) in ${args.outDir} in ${seconds} s\n`,
  );
  for (const [type, count] of Object.entries(summary.resources))
    process.stdout.write(`  ${type.padEnd(14)} ${count}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = isToolsError(error) && error.code === 'bad-usage' ? 2 : 1;
});
