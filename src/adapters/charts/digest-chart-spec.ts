import type { ChartInput } from '../../core/digest-files.js';

// The chart's data is taken from the digest where the digest is built (core/digest-files.ts, in the digest
// worker); the spec and its rendering stay here, in the chart worker.
export type { ChartInput } from '../../core/digest-files.js';

const FONT = 'DejaVu Sans';

/**
 * A vega-lite spec: the team × aspect heatmap (cells labelled with their level) above the org trend per
 * aspect. The heatmap grows with the number of teams, so 5 and 500 teams both stay readable in the PNG.
 */
export function digestChartSpec(input: ChartInput): Record<string, unknown> {
  const teams = [...new Set(input.cells.map((cell) => cell.team))];
  const rowHeight = teams.length > 120 ? 9 : 18;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${input.title}: levels by team and aspect`, font: FONT, fontSize: 15 },
    config: { font: FONT, view: { stroke: null }, axis: { labelFont: FONT, titleFont: FONT }, legend: { labelFont: FONT, titleFont: FONT } },
    background: 'white',
    padding: 16,
    vconcat: [
      {
        width: Math.max(240, input.aspects.length * 90),
        height: Math.max(60, teams.length * rowHeight),
        data: { values: input.cells.filter((cell) => cell.value !== null) },
        encoding: {
          x: { field: 'aspect', type: 'nominal', sort: input.aspects, title: null, axis: { orient: 'top', labelAngle: 0 } },
          y: { field: 'team', type: 'nominal', sort: teams, title: null, axis: { labelFontSize: teams.length > 120 ? 7 : 11 } },
        },
        layer: [
          { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: 'Level', scale: { domain: [1, input.levelCount], scheme: 'blues' } } } },
          ...(teams.length <= 120 ? [{ mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'value', type: 'quantitative', format: '.1f' }, color: { condition: { test: `datum.value > ${(input.levelCount + 1) / 2}`, value: 'white' }, value: 'black' } } }] : []),
        ],
      },
      {
        width: Math.max(240, input.aspects.length * 90),
        height: 180,
        title: { text: 'Organisation trend per aspect (last 12 weeks)', font: FONT, fontSize: 13 },
        data: { values: input.trend },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'week', type: 'temporal', title: null, axis: { format: '%d %b' } },
          y: { field: 'value', type: 'quantitative', title: 'Level', scale: { domain: [1, input.levelCount] } },
          color: { field: 'aspect', type: 'nominal', sort: input.aspects, title: 'Aspect' },
        },
      },
    ],
  };
}
