import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The PDF's embedded fonts: DejaVu (the `dejavu-fonts-ttf` npm package, TrueType, free licence), which
 * covers French (accents, ligatures, « », ’, narrow no-break spaces) and the ✓ / ✗ symbols. Shipped as a
 * dependency, so the report renders the same on any machine, without system fonts.
 */
export interface PdfFonts {
  regular: string;
  bold: string;
  mono: string;
}

export function pdfFonts(): PdfFonts {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return {
    regular: join(dir, 'DejaVuSansCondensed.ttf'),
    bold: join(dir, 'DejaVuSansCondensed-Bold.ttf'),
    mono: join(dir, 'DejaVuSansMono.ttf'),
  };
}
