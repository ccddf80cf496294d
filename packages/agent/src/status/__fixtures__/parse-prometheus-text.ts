/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on anything
 * node_exporter's textfile collector would refuse or a careful reader would frown at (a sample before
 * its TYPE, a family split in two, a bad name, an unescaped label value, a duplicate series).
 */
export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  samples: Array<{ labels: Record<string, string>; value: number }>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (!text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const families = new Map<string, ParsedFamily>();
  const closed = new Set<string>();
  let current = null as ParsedFamily | null;
  const seen = new Set<string>();
  for (const [index, line] of text.slice(0, -1).split('\n').entries()) {
    const where = `line ${index + 1}`;
    if (line === '') throw new Error(`${where}: empty line`);
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      const [, kind, name = '', rest = ''] = meta;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (current?.name !== name) {
        if (closed.has(name) || families.has(name)) throw new Error(`${where}: family ${name} split`);
        if (current !== null) closed.add(current.name);
        current = { name, help: '', type: '', samples: [] };
        families.set(name, current);
      }
      if (kind === 'HELP') current.help = unescapeHelp(rest, where);
      else if (!TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
      else current.type = rest;
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`${where}: not a sample: ${line}`);
    const [, name = '', labelText, valueText = ''] = sample;
    if (current?.name !== name || current.type === '' || current.help === '') {
      throw new Error(`${where}: sample of ${name} without its HELP and TYPE just before`);
    }
    const labels = labelText === undefined ? {} : parseLabels(labelText.slice(1, -1), where);
    const value = parseValue(valueText, where);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    seen.add(key);
    current.samples.push({ labels, value });
  }
  return families;
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const name = /^([^=]+)="/.exec(rest);
    if (name === null || !LABEL_NAME.test(name[1] ?? '')) throw new Error(`${where}: bad label in {${text}}`);
    let i = name[0].length;
    let value = '';
    for (;;) {
      const c = rest[i];
      if (c === undefined) throw new Error(`${where}: unterminated label value`);
      if (c === '"') break;
      if (c === '\n') throw new Error(`${where}: raw line feed in a label value`);
      if (c === '\\') {
        const next = rest[i + 1];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`${where}: bad escape \\${String(next)}`);
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    const label = name[1] ?? '';
    if (label in labels) throw new Error(`${where}: label ${label} twice`);
    labels[label] = value;
    rest = rest.slice(i + 1);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest !== '') throw new Error(`${where}: expected , between labels`);
  }
  return labels;
}

function parseValue(text: string, where: string): number {
  if (text === 'NaN') return Number.NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) throw new Error(`${where}: bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\') return '\\';
    throw new Error(`${where}: bad escape in HELP`);
  });
}
