import type { DigestSection } from '../../core/digest.js';

/** The chart data of one digest section, as plain JSON that can cross to the render worker. */
export interface ChartInput {
  readonly title: string;
  readonly levelCount: number;
  readonly aspects: readonly string[];
  readonly cells: readonly { team: string; aspect: string; value: number | null }[];
  readonly trend: readonly { aspect: string; week: string; value: number }[];
}

export function chartInput(section: DigestSection): ChartInput {
  const names = new Map(section.aspects.map((aspect) => [aspect.aspectId, aspect.aspectName]));
  return {
    title: section.surveyTitle,
    levelCount: section.levelNames.length,
    aspects: section.aspects.map((aspect) => aspect.aspectName),
    cells: section.teams.flatMap((row) => row.cells.map((cell) => ({ team: row.teamName, aspect: names.get(cell.aspectId) ?? cell.aspectId, value: cell.value }))),
    trend: section.trend.map((point) => ({ aspect: names.get(point.aspectId) ?? point.aspectId, week: point.at.toISOString().slice(0, 10), value: point.value })),
  };
}

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
