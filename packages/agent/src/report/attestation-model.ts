/**
 * The signatory's document, decided once and rendered twice (PDF with pdfkit, HTML for a browser): every
 * word, number and verdict is fixed here, so both renderers only lay it out and cannot drift apart.
 */

/** Green (holds), red (does not), or neither. Every tone is also carried by a symbol or a word. */
export type Tone = 'ok' | 'ko' | 'neutral';

export interface Fact {
  label: string;
  value: string;
}

/** A verdict box: evidence verified, not verified, or nothing to verify yet. */
export interface Verdict {
  tone: Tone;
  title: string;
  lines: string[];
}

/** One table cell: a small line (`81 / 90`) above the main one (`90,0 % ✓`). */
export interface Cell {
  small: string;
  main: string;
  tone: Tone;
}

export interface TableRow {
  title: string;
  subtitle: string;
  cells: Cell[];
  /** A total line (the organisation's weighted rates). */
  total: boolean;
}

export interface TableHeader {
  title: string;
  subtitle: string;
}

export interface Table {
  /** The first header names the row titles' column. */
  headers: TableHeader[];
  rows: TableRow[];
}

/** A labelled value that may span several lines (digests are given line by line, never broken inside). */
export interface LinesFact {
  label: string;
  lines: string[];
  /** Hex digests and identifiers: set in a fixed-width font. */
  mono: boolean;
}

export interface Statement {
  paragraphs: string[];
  /** Blank fields to fill in by hand: place, date, signature. */
  fields: string[];
}

/** Pages 1–2 for one organisme gestionnaire. */
export interface AttestationPage {
  heading: string;
  subheading: string;
  facts: Fact[];
  verdict: Verdict;
  table: Table;
  notes: string[];
  trend: { title: string; table: Table | null; note: string };
  evidence: { lines: LinesFact[]; note: string };
  /** `null` when the evidence does not verify: nothing to sign. */
  statement: Statement | null;
  /** Why there is no statement to sign, when there is none. */
  refusal: string | null;
}

export type AnnexBlock =
  | { kind: 'facts'; title: string; facts: LinesFact[] }
  | { kind: 'list'; title: string; intro: string | null; items: string[] }
  | { kind: 'table'; title: string; table: Table }
  | { kind: 'text'; title: string; paragraphs: string[]; commands: string[] };

/** A page with no attestation: nothing sealed yet, or evidence too damaged to read any run. */
export interface CoverPage {
  heading: string;
  verdict: Verdict;
  paragraphs: string[];
}

export interface AttestationDocument {
  metadata: { title: string; author: string; subject: string; createdAt: string };
  /** Printed at the foot of every page, with the page number. */
  footer: string;
  cover: CoverPage | null;
  pages: AttestationPage[];
  annex: { heading: string; intro: string; blocks: AnnexBlock[] } | null;
}
