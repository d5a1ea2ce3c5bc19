import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { digestChartSpec, type ChartInput } from './digest-chart-spec.js';

/** The fonts shipped in the repository, so charts look the same on every server (no system fonts). */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => fileURLToPath(new URL(`../../../assets/fonts/${name}`, import.meta.url)));

/** The XML escapes of an attribute value in double quotes. */
function attribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#xA;');
}

/**
 * vega-lite → vega → SVG text, entirely in process: no browser, no external service. vega escapes every text
 * and attribute it writes, so names from survey files or the database cannot become markup. The spec's
 * `description` is set as the SVG's aria-label, with the roles vega gives its container in a browser:
 * headless, vega writes it nowhere.
 */
export async function renderChartSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const description = view.description();
    if (!description || !svg.startsWith('<svg ')) return svg;
    return `<svg role="graphics-document" aria-roledescription="visualization" aria-label="${attribute(description)}" ${svg.slice('<svg '.length)}`;
  } finally {
    view.finalize();
  }
}

/** The digest's chart as a PNG: its SVG drawn by resvg with the shipped fonts, at twice the size for sharp text. */
export async function renderChartPng(input: ChartInput): Promise<Buffer> {
  const svg = await renderChartSvg(digestChartSpec(input));
  const png = new Resvg(svg, { font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  return Buffer.from(png);
}
