/**
 * `pnpm esms …` (the repository's script) runs the CLI in the repository root, not where the user typed
 * it: `--config ./x.yaml` or `--out rapport.html` would be read against the wrong directory (follow-up
 * F6). pnpm (like npm) says where it was invoked in `INIT_CWD`; when the CLI is that script, it works
 * from there, as it does when run directly.
 */
export function workFromInvocationDirectory(env: NodeJS.ProcessEnv = process.env): void {
  const invoked = env['INIT_CWD'];
  if (env['npm_lifecycle_event'] !== 'esms' || invoked === undefined || invoked === '') return;
  if (invoked === process.cwd()) return;
  try {
    process.chdir(invoked);
  } catch {
    // A directory gone since pnpm started: stay where pnpm put us.
  }
}
