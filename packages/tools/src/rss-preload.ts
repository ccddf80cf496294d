/**
 * Preloaded (`node --import`) into a measured child when GNU `/usr/bin/time` is not available: writes the
 * process's peak resident set size (kilobytes, `process.resourceUsage().maxRSS`) to the file named by
 * `ESMS_BENCH_RSS_FILE` when the process exits, whatever the exit path (normal end or `process.exit`).
 */
import { writeFileSync } from 'node:fs';

const target = process.env['ESMS_BENCH_RSS_FILE'];
if (target !== undefined && target !== '') {
  process.on('exit', () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
