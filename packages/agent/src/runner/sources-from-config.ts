import type { AgentConfig } from '../config/agent-config-schema.js';
import type { HttpLogger } from '../http/http-logger.js';
import { createFileSource } from '../sources/file-source.js';
import type { RecordSource } from '../sources/source.js';
import { authFromConfig } from './auth-from-config.js';

/**
 * The configured sources. `windowStart` is the first local day any rule can look at (the start of the
 * calendar year before P's last day, or the project start): AuditEvents older than that cannot change a
 * figure, so a FHIR server is asked only for the newer ones (from that day's start in every time zone).
 * `logger` is the sources' component logger (each HTTP request at debug level).
 */
export async function sourcesFromConfig(
  config: AgentConfig,
  windowStart: string,
  logger?: HttpLogger,
): Promise<RecordSource[]> {
  const sources: RecordSource[] = [];
  for (const [index, source] of config.sources.entries()) {
    if (source.type === 'ndjson') {
      sources.push(createFileSource({ paths: source.paths }));
      continue;
    }
    // Loaded for a FHIR source only (fhir-kit-client, undici): files need none of it.
    const { createFhirServerSource } = await import('../sources/fhir-server-source.js');
    sources.push(
      createFhirServerSource({
        baseUrl: source.baseUrl,
        auth: await authFromConfig(source.auth, `sources[${index}].auth`),
        pageSize: source.pageSize,
        concurrency: source.concurrency,
        timeoutMs: source.timeoutMs,
        proxy: source.proxy ?? undefined,
        auditEventsSince: windowStart,
        logger,
      }),
    );
  }
  return sources;
}
