import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run the built CLI and the examples from there). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI: `pnpm --filter @esms-numerique/agent build` first (the root `pnpm test` does). */
export const CLI = fileURLToPath(new URL('../../packages/agent/dist/main.js', import.meta.url));

const children = new Set<ChildProcess>();

/** A child process that `killChildren()` ends however the test ended. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGKILLs every child still running (afterEach/afterAll), and waits for them to be gone. */
export async function killChildren(): Promise<void> {
  const alive = [...children].filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    alive.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Collects a child's output and resolves when it exits; `output()` is what it printed so far. */
export function finished(child: ChildProcess): {
  done: Promise<Finished>;
  output: () => { stdout: string; stderr: string };
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { done, output: () => ({ stdout, stderr }) };
}

/** Starts `esms <args>` (the built CLI) in the background. */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string } = {},
): { child: ChildProcess; done: Promise<Finished>; output: () => { stdout: string; stderr: string } } {
  const child = spawnTracked(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  return { child, ...finished(child) };
}

/** Runs `esms <args>` to the end (in the repository root, or `options.cwd`). */
export function esms(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: { cwd?: string } = {},
): Promise<Finished> {
  return startCli(args, env, options).done;
}

/** Polls `check` until it returns a value (not `undefined`), or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
