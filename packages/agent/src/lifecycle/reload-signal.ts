/**
 * SIGHUP, the daemon's "read your configuration again" (systemd's `ExecReload=/bin/kill -HUP $MAINPID`,
 * `systemctl reload esms-agent`). Only `esms start` listens: for the other verbs a hang-up keeps Node's
 * default (the process ends, as a terminal's programs do). Reloads are run one after the other, never
 * two at once, and a signal that arrives during one is run after it.
 */
export function onReloadSignal(reload: () => Promise<void>): () => void {
  let chain: Promise<void> = Promise.resolve();
  const listener = (): void => {
    chain = chain.then(reload, reload);
  };
  process.on('SIGHUP', listener);
  return () => {
    process.off('SIGHUP', listener);
  };
}
