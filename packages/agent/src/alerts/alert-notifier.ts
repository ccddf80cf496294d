import type { RunRecord } from '../runner/run-records.js';
import { runFailedAlert, submissionFailedAlert, type AlertContext } from './alert-payload.js';
import type { AlertSender } from './send-alert.js';

/** What the runner calls when something needs a human; the notifier builds the payload and sends it. */
export interface AlertNotifier {
  /** A run ended `error` or `failed`. */
  runFailed(record: RunRecord): Promise<void>;
  /** A submission moved to the kept failures; `run` is the one that queued it, when known. */
  submissionFailed(
    failure: { id: string; code: string; reason: string; status?: number | undefined; attempts: number },
    run: RunRecord | undefined,
  ): Promise<void>;
}

export function alertNotifier(send: AlertSender, context: () => AlertContext): AlertNotifier {
  return {
    runFailed: (record) => send(runFailedAlert(record, context())),
    submissionFailed: (failure, run) => send(submissionFailedAlert(failure, run, context())),
  };
}
