import { describe, expect, it } from 'vitest';
import { parseGenerateArgs } from './generate-args.js';

describe('pnpm generate arguments', () => {
  it('--help and --no-progress are known options (issue 11 A8)', () => {
    expect(parseGenerateArgs(['--', '--help']).help).toBe(true);
    expect(parseGenerateArgs(['-h']).help).toBe(true);
    expect(parseGenerateArgs(['--no-progress', '--size', 's'])).toMatchObject({ progress: false, size: 'S' });
    expect(parseGenerateArgs([])).toMatchObject({ progress: true, help: false, outDir: '.bench-data/S-1' });
  });

  it('an unknown option is bad usage, with the usage', () => {
    expect(() => parseGenerateArgs(['--colour'])).toThrow(/usage: pnpm generate/);
  });
});
