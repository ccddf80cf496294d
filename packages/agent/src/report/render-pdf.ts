import PDFDocument from 'pdfkit';
import type {
  AnnexBlock,
  AttestationDocument,
  AttestationPage,
  Cell,
  CoverPage,
  LinesFact,
  Table,
  Tone,
  Verdict,
} from './attestation-model.js';
import { pdfFonts } from './pdf-fonts.js';

/** A4 in PDF points (1/72 inch), and the page's margins. */
const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = { top: 40, bottom: 48, left: 42, right: 42 } as const;
const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;

const COLOUR = {
  ink: '#1c2530',
  muted: '#5b6470',
  line: '#c9ced4',
  ok: '#17663a',
  okFill: '#e5f4ea',
  ko: '#a32020',
  koFill: '#fbe9e9',
  neutral: '#3d4854',
  neutralFill: '#eef1f4',
  totalFill: '#f2f4f6',
} as const;

const SIZE = { h1: 15, h2: 11.5, body: 9.5, small: 8, tiny: 7.2, cell: 8.8 } as const;
const CELL_PAD = 2.4;

type Doc = PDFKit.PDFDocument;

/**
 * The attestation as a PDF, made in Node with pdfkit (no browser): A4, selectable text in embedded
 * DejaVu fonts, the document's metadata (title, author = the agent, creation date). Each organisation's
 * attestation starts on a new page, the annex too; every page has the document's footer and its number.
 */
export async function renderPdf(document: AttestationDocument): Promise<Buffer> {
  const fonts = pdfFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    autoFirstPage: false,
    bufferPages: true,
    font: fonts.regular,
    lang: 'fr-FR',
    displayTitle: true,
    info: {
      Title: document.metadata.title,
      Author: document.metadata.author,
      Subject: document.metadata.subject,
      Creator: document.metadata.author,
      CreationDate: new Date(document.metadata.createdAt),
    },
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('mono', fonts.mono);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  if (document.cover !== null) cover(doc, document.cover);
  for (const page of document.pages) attestation(doc, page);
  if (document.annex !== null) annex(doc, document.annex);
  footers(doc, document.footer);
  doc.end();
  return finished;
}

function newPage(doc: Doc): void {
  doc.addPage();
  doc.x = MARGIN.left;
  doc.y = MARGIN.top;
}

/** Starts a new page unless `height` still fits on this one. */
function ensure(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) newPage(doc);
}

function font(doc: Doc, name: 'regular' | 'bold' | 'mono', size: number, colour: string = COLOUR.ink): Doc {
  return doc.font(name).fontSize(size).fillColor(colour);
}

function paragraph(
  doc: Doc,
  text: string,
  options: { size?: number; bold?: boolean; colour?: string; gap?: number; align?: 'left' | 'justify' } = {},
): void {
  font(doc, options.bold === true ? 'bold' : 'regular', options.size ?? SIZE.body, options.colour);
  const height = doc.heightOfString(text, { width: CONTENT_WIDTH });
  ensure(doc, height);
  doc.text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH, align: options.align ?? 'left', lineGap: 1 });
  doc.y += options.gap ?? 3;
}

function heading(doc: Doc, text: string, size: number = SIZE.h2): void {
  font(doc, 'bold', size);
  ensure(doc, doc.heightOfString(text, { width: CONTENT_WIDTH }) + 40);
  doc.y += 4;
  doc.text(text, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.y += 3;
}

function toneColours(tone: Tone): { ink: string; fill: string } {
  if (tone === 'ok') return { ink: COLOUR.ok, fill: COLOUR.okFill };
  if (tone === 'ko') return { ink: COLOUR.ko, fill: COLOUR.koFill };
  return { ink: COLOUR.neutral, fill: COLOUR.neutralFill };
}

function verdictBox(doc: Doc, verdict: Verdict): void {
  const { ink, fill } = toneColours(verdict.tone);
  const width = CONTENT_WIDTH - 16;
  font(doc, 'bold', SIZE.h2);
  let height = doc.heightOfString(verdict.title, { width }) + 10;
  font(doc, 'regular', SIZE.small);
  for (const line of verdict.lines) height += doc.heightOfString(line, { width }) + 2;
  ensure(doc, height + 6);
  const top = doc.y;
  doc.save().roundedRect(MARGIN.left, top, CONTENT_WIDTH, height, 3).fillAndStroke(fill, ink).restore();
  font(doc, 'bold', SIZE.h2, ink).text(verdict.title, MARGIN.left + 8, top + 5, { width });
  font(doc, 'regular', SIZE.small, COLOUR.ink);
  for (const line of verdict.lines) {
    doc.text(line, MARGIN.left + 8, doc.y + 1, { width });
  }
  doc.y = top + height + 6;
}

function facts(doc: Doc, items: readonly { label: string; value: string }[]): void {
  const labelWidth = 128;
  const valueWidth = CONTENT_WIDTH - labelWidth;
  for (const item of items) {
    font(doc, 'bold', SIZE.body);
    const height = doc.heightOfString(item.value, { width: valueWidth });
    ensure(doc, height + 2);
    const top = doc.y;
    font(doc, 'regular', SIZE.body, COLOUR.muted).text(item.label, MARGIN.left, top, {
      width: labelWidth - 6,
    });
    font(doc, 'bold', SIZE.body).text(item.value, MARGIN.left + labelWidth, top, { width: valueWidth });
    doc.y = top + height + 2;
  }
  doc.y += 3;
}

/** Column widths: the first column takes `firstShare` of the width, the others share the rest. */
function columnWidths(columns: number, firstShare: number): number[] {
  const first = CONTENT_WIDTH * firstShare;
  const other = (CONTENT_WIDTH - first) / (columns - 1);
  return [first, ...Array.from({ length: columns - 1 }, () => other)];
}

function table(doc: Doc, data: Table, firstShare: number): void {
  const widths = columnWidths(data.headers.length, firstShare);
  const drawHeader = (): void => {
    font(doc, 'bold', SIZE.tiny);
    let height = 0;
    data.headers.forEach((h, i) => {
      const w = (widths[i] ?? 0) - 2 * CELL_PAD;
      font(doc, 'bold', SIZE.tiny);
      let hh = doc.heightOfString(h.title, { width: w });
      font(doc, 'regular', SIZE.tiny);
      if (h.subtitle !== '') hh += doc.heightOfString(h.subtitle, { width: w });
      height = Math.max(height, hh);
    });
    height += 2 * CELL_PAD;
    ensure(doc, height + 30);
    const top = doc.y;
    let x = MARGIN.left;
    data.headers.forEach((h, i) => {
      const w = (widths[i] ?? 0) - 2 * CELL_PAD;
      const align = i === 0 ? 'left' : 'right';
      font(doc, 'bold', SIZE.tiny, COLOUR.ink).text(h.title, x + CELL_PAD, top + CELL_PAD, {
        width: w,
        align,
      });
      if (h.subtitle !== '') {
        font(doc, 'regular', SIZE.tiny, COLOUR.muted).text(h.subtitle, x + CELL_PAD, doc.y, {
          width: w,
          align,
        });
      }
      x += widths[i] ?? 0;
    });
    ruleBelow(doc, top + height, 1.2, COLOUR.ink);
  };
  drawHeader();
  for (const row of data.rows) {
    const firstWidth = (widths[0] ?? 0) - 2 * CELL_PAD;
    font(doc, row.total ? 'bold' : 'regular', SIZE.cell);
    let height = doc.heightOfString(row.title, { width: firstWidth });
    if (row.subtitle !== '') {
      font(doc, 'regular', SIZE.tiny);
      height += doc.heightOfString(row.subtitle, { width: firstWidth });
    }
    row.cells.forEach((cell, i) => {
      const w = (widths[i + 1] ?? 0) - 2 * CELL_PAD;
      height = Math.max(height, cellHeight(doc, cell, w));
    });
    height += 2 * CELL_PAD;
    if (doc.y + height > BOTTOM) {
      newPage(doc);
      drawHeader();
    }
    const top = doc.y;
    if (row.total) {
      doc.save().rect(MARGIN.left, top, CONTENT_WIDTH, height).fill(COLOUR.totalFill).restore();
    }
    font(doc, row.total ? 'bold' : 'regular', SIZE.cell).text(
      row.title,
      MARGIN.left + CELL_PAD,
      top + CELL_PAD,
      {
        width: firstWidth,
      },
    );
    if (row.subtitle !== '') {
      font(doc, 'regular', SIZE.tiny, COLOUR.muted).text(row.subtitle, MARGIN.left + CELL_PAD, doc.y, {
        width: firstWidth,
      });
    }
    let x = MARGIN.left + (widths[0] ?? 0);
    row.cells.forEach((cell, i) => {
      const w = (widths[i + 1] ?? 0) - 2 * CELL_PAD;
      drawCell(doc, cell, x + CELL_PAD, top + CELL_PAD, w);
      x += widths[i + 1] ?? 0;
    });
    ruleBelow(doc, top + height, 0.5, COLOUR.line);
  }
  doc.y += 5;
}

/** A rule across the content width at `y` (under a table's header or row), and the text goes on below it. */
function ruleBelow(doc: Doc, y: number, lineWidth: number, colour: string): void {
  doc
    .save()
    .moveTo(MARGIN.left, y)
    .lineTo(MARGIN.left + CONTENT_WIDTH, y)
    .lineWidth(lineWidth)
    .stroke(colour)
    .restore();
  doc.y = y;
}

function cellHeight(doc: Doc, cell: Cell, width: number): number {
  let height = 0;
  if (cell.small !== '') {
    font(doc, 'regular', SIZE.tiny);
    height += doc.heightOfString(cell.small, { width });
  }
  font(doc, 'bold', SIZE.cell);
  return height + doc.heightOfString(cell.main, { width });
}

function drawCell(doc: Doc, cell: Cell, x: number, y: number, width: number): void {
  const ink = cell.tone === 'neutral' ? COLOUR.ink : toneColours(cell.tone).ink;
  if (cell.small !== '') {
    font(doc, 'regular', SIZE.tiny, COLOUR.muted).text(cell.small, x, y, { width, align: 'right' });
    y = doc.y;
  }
  font(doc, cell.tone === 'neutral' ? 'regular' : 'bold', SIZE.cell, ink).text(cell.main, x, y, {
    width,
    align: 'right',
  });
}

function linesFacts(doc: Doc, items: readonly LinesFact[], labelWidth: number): void {
  const valueWidth = CONTENT_WIDTH - labelWidth;
  for (const item of items) {
    const size = item.mono ? SIZE.small : SIZE.body - 0.5;
    font(doc, item.mono ? 'mono' : 'regular', size);
    const height = item.lines.reduce((h, line) => h + doc.heightOfString(line, { width: valueWidth }), 0);
    font(doc, 'regular', SIZE.small);
    const labelHeight = doc.heightOfString(item.label, { width: labelWidth - 8 });
    ensure(doc, Math.max(height, labelHeight) + 3);
    const top = doc.y;
    font(doc, 'regular', SIZE.small, COLOUR.muted).text(item.label, MARGIN.left, top, {
      width: labelWidth - 8,
    });
    doc.y = top;
    for (const line of item.lines) {
      font(doc, item.mono ? 'mono' : 'regular', size).text(line, MARGIN.left + labelWidth, doc.y, {
        width: valueWidth,
      });
    }
    doc.y = Math.max(doc.y, top + labelHeight) + 3;
  }
  doc.y += 2;
}

/** Facts in columns side by side (the two fingerprints): label above, lines below. */
function sideBySide(doc: Doc, items: readonly LinesFact[]): void {
  const gap = 12;
  const width = (CONTENT_WIDTH - gap * (items.length - 1)) / Math.max(1, items.length);
  const heightOf = (item: LinesFact): number => {
    font(doc, 'regular', SIZE.small);
    let h = doc.heightOfString(item.label, { width });
    font(doc, item.mono ? 'mono' : 'regular', SIZE.small);
    for (const line of item.lines) h += doc.heightOfString(line, { width });
    return h;
  };
  const height = Math.max(...items.map(heightOf));
  ensure(doc, height + 4);
  const top = doc.y;
  items.forEach((item, i) => {
    const x = MARGIN.left + i * (width + gap);
    font(doc, 'regular', SIZE.small, COLOUR.muted).text(item.label, x, top, { width });
    for (const line of item.lines) {
      font(doc, item.mono ? 'mono' : 'regular', SIZE.small).text(line, x, doc.y, { width });
    }
  });
  doc.y = top + height + 3;
}

function cover(doc: Doc, page: CoverPage): void {
  newPage(doc);
  font(doc, 'bold', SIZE.h1).text(page.heading, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.y += 10;
  verdictBox(doc, page.verdict);
  for (const text of page.paragraphs) paragraph(doc, text, { gap: 6 });
}

function attestation(doc: Doc, page: AttestationPage): void {
  newPage(doc);
  font(doc, 'bold', SIZE.h1).text(page.heading, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  font(doc, 'bold', SIZE.h2, COLOUR.neutral).text(page.subheading, MARGIN.left, doc.y + 2, {
    width: CONTENT_WIDTH,
  });
  doc.y += 8;
  facts(doc, page.facts);
  verdictBox(doc, page.verdict);
  table(doc, page.table, 0.27);
  for (const note of page.notes) paragraph(doc, note, { size: SIZE.small, colour: COLOUR.muted, gap: 1 });
  heading(doc, page.trend.title, SIZE.body + 0.5);
  if (page.trend.table !== null) table(doc, page.trend.table, 0.2);
  paragraph(doc, page.trend.note, { size: SIZE.small, colour: COLOUR.muted });
  heading(doc, 'Ce que vérifie un auditeur', SIZE.body + 0.5);
  sideBySide(doc, page.evidence.lines);
  paragraph(doc, page.evidence.note, { size: SIZE.small, colour: COLOUR.muted });
  if (page.statement !== null) statement(doc, page.statement);
  if (page.refusal !== null) {
    doc.y += 6;
    paragraph(doc, page.refusal, { bold: true, colour: COLOUR.ko });
  }
}

const SIGNATURE_BOX_HEIGHT = 52;

function statement(doc: Doc, data: NonNullable<AttestationPage['statement']>): void {
  font(doc, 'regular', SIZE.body);
  const textHeight = data.paragraphs.reduce(
    (h, p) => h + doc.heightOfString(p, { width: CONTENT_WIDTH, align: 'justify' }) + 4,
    0,
  );
  // The statement and its fields are never split across pages.
  ensure(doc, textHeight + SIGNATURE_BOX_HEIGHT + 50);
  heading(doc, 'Attestation', SIZE.body + 0.5);
  for (const p of data.paragraphs) paragraph(doc, p, { align: 'justify', gap: 4 });
  doc.y += 6;
  const [place, date, signature, ...others] = data.fields;
  const top = doc.y;
  const half = CONTENT_WIDTH / 2;
  font(doc, 'regular', SIZE.body);
  const field = (label: string | undefined, x: number, width: number, y: number): void => {
    if (label === undefined) return;
    font(doc, 'regular', SIZE.body).text(`${label} :`, x, y, { width, lineBreak: false });
    const labelWidth = doc.widthOfString(`${label} : `);
    doc
      .save()
      .moveTo(x + labelWidth, y + SIZE.body + 1)
      .lineTo(x + width - 12, y + SIZE.body + 1)
      .lineWidth(0.6)
      .dash(1.5, { space: 1.5 })
      .stroke(COLOUR.muted)
      .restore();
  };
  field(place, MARGIN.left, half, top);
  field(date, MARGIN.left + half, half, top);
  let y = top + SIZE.body + 12;
  for (const other of others) {
    field(other, MARGIN.left, CONTENT_WIDTH, y);
    y += SIZE.body + 12;
  }
  if (signature !== undefined) {
    font(doc, 'regular', SIZE.body).text(`${signature} :`, MARGIN.left, y, { width: CONTENT_WIDTH });
    const boxTop = doc.y + 2;
    doc
      .save()
      .rect(MARGIN.left + half, boxTop - SIZE.body - 4, half, SIGNATURE_BOX_HEIGHT)
      .lineWidth(0.6)
      .stroke(COLOUR.muted)
      .restore();
    doc.y = boxTop - SIZE.body - 4 + SIGNATURE_BOX_HEIGHT + 4;
  }
}

function annex(doc: Doc, data: NonNullable<AttestationDocument['annex']>): void {
  newPage(doc);
  font(doc, 'bold', SIZE.h1).text(data.heading, MARGIN.left, doc.y, { width: CONTENT_WIDTH });
  doc.y += 2;
  paragraph(doc, data.intro, { colour: COLOUR.muted, gap: 4 });
  for (const block of data.blocks) annexBlock(doc, block);
}

/** The height of a text block (its heading, paragraphs and commands), to keep it on one page. */
function textBlockHeight(doc: Doc, block: Extract<AnnexBlock, { kind: 'text' }>): number {
  font(doc, 'bold', SIZE.h2);
  let height = doc.heightOfString(block.title, { width: CONTENT_WIDTH }) + 10;
  font(doc, 'regular', SIZE.small + 0.5);
  for (const p of block.paragraphs) height += doc.heightOfString(p, { width: CONTENT_WIDTH, lineGap: 1 }) + 3;
  font(doc, 'mono', SIZE.small);
  for (const c of block.commands) height += doc.heightOfString(c, { width: CONTENT_WIDTH - 12 }) + 1;
  return height + 3;
}

function annexBlock(doc: Doc, block: AnnexBlock): void {
  // A heading is never left alone at the foot of a page: a text block moves whole to the next page.
  if (block.kind === 'text') ensure(doc, textBlockHeight(doc, block));
  heading(doc, block.title);
  switch (block.kind) {
    case 'facts':
      linesFacts(doc, block.facts, 190);
      return;
    case 'list':
      if (block.intro !== null) paragraph(doc, block.intro, { size: SIZE.small + 0.5, colour: COLOUR.muted });
      for (const item of block.items) paragraph(doc, `•  ${item}`, { size: SIZE.small + 0.5, gap: 2 });
      return;
    case 'table':
      table(doc, block.table, 0.4);
      return;
    case 'text':
      for (const p of block.paragraphs) paragraph(doc, p, { size: SIZE.small + 0.5 });
      for (const command of block.commands) {
        font(doc, 'mono', SIZE.small);
        ensure(doc, doc.heightOfString(command, { width: CONTENT_WIDTH - 12 }) + 2);
        doc.text(command, MARGIN.left + 12, doc.y + 1, { width: CONTENT_WIDTH - 12 });
      }
      doc.y += 3;
      return;
  }
}

/** The footer and `page N sur M` on every page, written once all pages exist. */
function footers(doc: Doc, footer: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    // Writing below the bottom margin would make pdfkit open a new page: lift the margin meanwhile.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = PAGE.height - MARGIN.bottom + 16;
    doc
      .save()
      .moveTo(MARGIN.left, y - 5)
      .lineTo(MARGIN.left + CONTENT_WIDTH, y - 5)
      .lineWidth(0.5)
      .stroke(COLOUR.line)
      .restore();
    font(doc, 'regular', SIZE.tiny, COLOUR.muted).text(footer, MARGIN.left, y, {
      width: CONTENT_WIDTH * 0.75,
      lineBreak: false,
    });
    font(doc, 'regular', SIZE.tiny, COLOUR.muted).text(
      `page ${i - range.start + 1} sur ${range.count}`,
      MARGIN.left + CONTENT_WIDTH * 0.75,
      y,
      { width: CONTENT_WIDTH * 0.25, align: 'right', lineBreak: false },
    );
    doc.page.margins.bottom = bottom;
  }
}
