import type { Bundle, MeasureReport } from 'fhir/r4.js';
import { createInterface } from 'node:readline';
import { spawnTracked } from './processes.js';
// The receiver's own types, generated from its JSDoc by the examples' build.
import type { Fault as ReceiverFault, ReceiverStats } from '../../examples/receiver/receiver.mjs';

export type { ReceiverFault, ReceiverStats };

/** Starts an example server (`node examples/<name>/main.mjs …`) and reads the URL it prints. */
async function startExample(script: string, args: readonly string[]): Promise<string> {
  const child = spawnTracked(process.execPath, [script, ...args]);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stderr}`)));
  });
  lines.close();
  return (JSON.parse(first) as { url: string }).url;
}

/** The loopback FHIR server over a directory of NDJSON files. */
export function startFhirServer(dataDir: string): Promise<string> {
  return startExample('examples/fhir-server/main.mjs', ['--data', dataDir, '--port', '0']);
}

/** The reference ARS receiver in its own process, driven over HTTP like a real ARS would be observed. */
export class ReceiverProcess {
  private constructor(readonly url: string) {}

  static async start(dataDir: string, extraArgs: readonly string[] = []): Promise<ReceiverProcess> {
    return new ReceiverProcess(
      await startExample('examples/receiver/main.mjs', ['--data-dir', dataDir, '--port', '0', ...extraArgs]),
    );
  }

  async addFaults(faults: ReceiverFault[]): Promise<void> {
    const response = await fetch(`${this.url}/_faults`, { method: 'POST', body: JSON.stringify(faults) });
    if (!response.ok) throw new Error(`cannot add faults: ${response.status}`);
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.url}/_faults`, { method: 'DELETE' });
  }

  async stats(): Promise<ReceiverStats> {
    return (await (await fetch(`${this.url}/_stats`)).json()) as ReceiverStats;
  }

  /** Every MeasureReport stored. */
  async reports(): Promise<MeasureReport[]> {
    const bundle = (await (await fetch(`${this.url}/MeasureReport`)).json()) as Bundle;
    return (bundle.entry ?? []).map((e) => e.resource as MeasureReport);
  }
}
