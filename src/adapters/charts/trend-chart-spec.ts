/** What the dashboard's team page charts: a team's level per aspect, week by week. */
export interface TrendChartInput {
  readonly title: string;
  /** Index 0 is level 1. */
  readonly levelNames: readonly string[];
  readonly series: readonly { readonly aspect: string; readonly points: readonly { readonly at: string /* ISO date */; readonly value: number }[] }[];
}

// The font shipped in assets/fonts (as in the digest's chart); a browser without it falls back to its sans-serif.
const FONT = 'DejaVu Sans, sans-serif';
const WIDTH = 640;
const HEIGHT = 220;
const DAY_MS = 86_400_000;
// Longer than vega-lite's default dashes, which at a 2px stroke are hard to tell apart from a solid line.
const DASHES = [[1, 0], [8, 4], [3, 3], [12, 4, 3, 4], [5, 2], [2, 6], [16, 4]];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const config = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFont: FONT, titleFont: FONT },
  // Below the plot, so the chart keeps its width on the page; long aspect names end in an ellipsis (the aria-labels keep them whole).
  legend: { labelFont: FONT, titleFont: FONT, orient: 'bottom', direction: 'horizontal', columns: 3, labelLimit: 180, symbolStrokeWidth: 2 },
  title: { font: FONT },
};

/** "the last 26 weeks (3 Mar 2025 to 25 Aug 2025)", from the earliest and latest dates shown. */
function period(dates: readonly string[]): string {
  const sorted = [...dates].sort();
  const first = sorted[0] ?? '';
  const last = sorted[sorted.length - 1] ?? '';
  const weeks = Math.round((Date.parse(last) - Date.parse(first)) / (7 * DAY_MS)) + 1;
  const day = (iso: string) => {
    const date = new Date(Date.parse(iso));
    return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()}`;
  };
  return first === last ? `the week of ${day(first)}` : `the last ${weeks} weeks (${day(first)} to ${day(last)})`;
}

/**
 * A vega-lite spec: one line per aspect over the weeks, y from level 1 to the top level. Each aspect has its
 * own colour, point shape and dash, so colour is never the only cue. The `description` summarises the chart
 * for screen readers (render-chart.ts puts it on the SVG as its aria-label). Without any point, the chart is
 * a small note instead, so the page still has a chart where it expects one.
 */
export function trendChartSpec(input: TrendChartInput): Record<string, unknown> {
  const values = input.series.flatMap((line) => line.points.map((point) => ({ aspect: line.aspect, week: point.at, level: point.value })));
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text: input.title, fontSize: 14, anchor: 'start' }, config, background: 'white', padding: 12 };
  if (values.length === 0) {
    return {
      ...base,
      description: `${input.title}: no levels to show for this period yet.`,
      width: WIDTH,
      height: 40,
      data: { values: [{ note: 'No levels to show for this period yet.' }] },
      mark: { type: 'text', fontSize: 12, color: '#555', align: 'left', x: 0, y: 20 },
      encoding: { text: { field: 'note', type: 'nominal' } },
    };
  }
  const top = Math.max(2, input.levelNames.length);
  const levels = Array.from({ length: top }, (_, index) => index + 1);
  const lowest = input.levelNames[0];
  const highest = input.levelNames[input.levelNames.length - 1];
  const levelRange = lowest !== undefined && highest !== undefined && input.levelNames.length > 1 ? ` Levels run from 1 (${lowest}) to ${input.levelNames.length} (${highest}).` : '';
  // The aspects' order (and so their colour, shape and dash) comes from the input, as a scale domain: data, not an expression.
  const aspects = [...new Set(input.series.map((line) => line.aspect))];
  // The same field, title and domain on colour, dash and shape: vega-lite draws one legend for all three.
  const byAspect = { field: 'aspect', type: 'nominal', title: 'Aspect', scale: { domain: aspects } };
  return {
    ...base,
    description: `${input.title}: level per aspect over ${period(values.map((value) => value.week))}, for ${aspects.length} ${aspects.length === 1 ? 'aspect' : 'aspects'}: ${aspects.join(', ')}.${levelRange}`,
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    encoding: {
      // UTC throughout: the label under a week is the same whatever the server's time zone.
      x: { field: 'week', type: 'temporal', title: null, scale: { type: 'utc' }, axis: { format: '%d %b', labelOverlap: true, grid: false } },
      y: { field: 'level', type: 'quantitative', title: 'Level', scale: { domain: [1, top], nice: false, zero: false }, axis: { values: levels, format: 'd' } },
      color: byAspect,
    },
    layer: [
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { strokeDash: { ...byAspect, scale: { domain: aspects, range: DASHES } } } },
      { mark: { type: 'point', filled: true, size: 50 }, encoding: { shape: byAspect } },
    ],
  };
}
