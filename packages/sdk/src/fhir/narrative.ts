import type { Narrative } from 'fhir/r4.js';

/**
 * A FHIR narrative (`text`, status `generated`): what a person reading the resource sees, made from its
 * own data only (dom-6: "a resource should have narrative for robust management"). A `div` in the XHTML
 * namespace holding paragraphs of plain text, escaped; never anything about a person.
 */
export function generatedNarrative(paragraphs: readonly string[]): Narrative {
  const body = paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${body}</div>` };
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}
