import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { digestChartSpec, type ChartInput } from './digest-chart-spec.js';

/** The fonts shipped in the repository, so charts look the same on every server (no system fonts). */
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => fileURLToPath(new URL(`../../../assets/fonts/${name}`, import.meta.url)));

/** vega-lite → vega → SVG → PNG, entirely in process: no browser, no external service. */
export async function renderChartPng(input: ChartInput): Promise<Buffer> {
  const compiled = compile(digestChartSpec(input) as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  return Buffer.from(png);
}
