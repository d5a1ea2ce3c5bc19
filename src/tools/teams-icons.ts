/**
 * Draws the two icons of the Teams app package and writes them to teams/color.png and teams/outline.png.
 *
 * The PNG files are committed; this script is only needed to change them. After editing the SVG below:
 *
 *   npm run build && node dist/tools/teams-icons.js
 *
 * Teams wants a 192×192 full-colour icon and a 32×32 outline icon drawn in white on a fully transparent
 * background. The mark is the same in both: a pulse line, the bot's weekly heartbeat, rising to a peak.
 * `npm run teams:package` checks both files again before zipping them.
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

/** The accent colour; teams/manifest.json repeats it as `accentColor`. */
export const ACCENT_COLOR = '#2F5FA8';

/**
 * 192×192, a solid square in the accent colour (Teams rounds the corners itself). The line stays inside
 * the central 120×120 so nothing important is lost when Teams crops or rounds the icon.
 */
export const COLOR_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="192" height="192" viewBox="0 0 192 192">
  <rect width="192" height="192" fill="${ACCENT_COLOR}"/>
  <path d="M36 104 H68 L80 80 L96 132 L114 54 L128 104 H156" fill="none" stroke="#FFFFFF" stroke-width="12" stroke-linecap="round" stroke-linejoin="round"/>
  <circle cx="156" cy="104" r="9" fill="#FFFFFF"/>
</svg>`;

/** 32×32, the same line in white and nothing else: every other pixel is fully transparent. */
export const OUTLINE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
  <path d="M2.5 17.5 H9 L11.5 12.5 L15 23.5 L19 6.5 L22 17.5 H29.5" fill="none" stroke="#FFFFFF" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`;

/** Renders an SVG at its own size to PNG bytes (transparent wherever the SVG draws nothing). */
export function renderIcon(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'original' }, font: { loadSystemFonts: false } }).render().asPng();
}

function main(): void {
  const dir = new URL('../../teams/', import.meta.url);
  for (const [name, svg] of [['color.png', COLOR_SVG], ['outline.png', OUTLINE_SVG]] as const) {
    const file = fileURLToPath(new URL(name, dir));
    writeFileSync(file, renderIcon(svg));
    process.stdout.write(`${file}\n`);
  }
}

const script = process.argv[1];
if (script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))) main();
