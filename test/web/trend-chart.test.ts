import { afterAll, describe, expect, it } from 'vitest';
import { ChartRenderer } from '../../src/adapters/charts/chart-renderer.js';
import { renderChartSvg } from '../../src/adapters/charts/render-chart.js';
import { trendChartSpec, type TrendChartInput } from '../../src/adapters/charts/trend-chart-spec.js';

// The dashboard inserts this SVG into its page unescaped: everything from survey files or the database must
// come out of vega as escaped text, never as markup.
const HOSTILE = '<script>alert(1)</script> & "rollback"';
const ASPECTS = ['Continuous delivery', 'Observability', 'Incident response', HOSTILE];
const LEVELS = ['Initial', 'Managed', 'Defined', 'Measured', 'Optimising'];
const FIRST_WEEK = Date.UTC(2025, 2, 3);

function trendInput(overrides: Partial<TrendChartInput> = {}): TrendChartInput {
  return {
    title: 'Team Orion & friends',
    levelNames: LEVELS,
    series: ASPECTS.map((aspect, index) => ({
      aspect,
      points: Array.from({ length: 26 }, (_, week) => ({ at: new Date(FIRST_WEEK + week * 7 * 86_400_000).toISOString().slice(0, 10), value: 1 + ((index + week / 7) % 4) })),
    })),
    ...overrides,
  };
}

/** Every `&` in the text starts one of the entities an XML serialiser writes. */
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#x[0-9a-f]+|#\d+);)/i;

const timings: { seconds: number; kind: string }[] = [];
const renderer = new ChartRenderer((seconds, kind) => timings.push({ seconds, kind }));
afterAll(() => renderer.stop());

describe('the team trend chart as SVG', () => {
  it('draws one labelled series per aspect, with a description for screen readers', async () => {
    const svg = await renderChartSvg(trendChartSpec(trendInput()));

    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const aspect of ASPECTS.slice(0, 3)) expect(svg).toContain(`>${aspect}</text>`);
    expect(svg).toMatch(/^<svg [^>]*aria-label="Team Orion &amp; friends: level per aspect over the last 26 weeks \(3 Mar 2025 to 25 Aug 2025\), for 4 aspects: Continuous delivery, /);
    expect(svg).toContain('Levels run from 1 (Initial) to 5 (Optimising).');
    // The y axis is labelled with the level numbers 1 to 5 and nothing in between.
    const yLabels = [...svg.matchAll(/<text text-anchor="end" transform="translate\(-\d+,[\d.]+\)"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
    expect(yLabels).toEqual(['1', '2', '3', '4', '5']);
    // Colour is not the only cue: each aspect's line has its own dash.
    const dashes = new Set([...svg.matchAll(/stroke-dasharray="([^"]+)"/g)].map((match) => match[1]));
    expect(dashes.size).toBeGreaterThanOrEqual(ASPECTS.length);
  });

  it('escapes markup and ampersands in aspect names and titles', async () => {
    const svg = await renderChartSvg(trendChartSpec(trendInput({ title: `Team ${HOSTILE}`, levelNames: ['<b>Initial</b>', 'Managed', 'Defined & measured'] })));

    expect(svg.toLowerCase()).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).not.toMatch(BARE_AMPERSAND);
    // The name is still there, escaped: in the title, the legend and the aria-labels.
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp;');
    expect(svg).toContain('aria-label="Team &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;rollback&quot;: level per aspect');
    expect(svg).toContain('Levels run from 1 (&lt;b&gt;Initial&lt;/b&gt;) to 3 (Defined &amp; measured).');
    // Only the elements vega draws: no element or attribute named by the data.
    const tags = new Set([...svg.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((match) => match[1]));
    expect([...tags].sort()).toEqual(['g', 'line', 'path', 'rect', 'svg', 'text']);
  });

  it('renders a small chart with a note when there is nothing to show', async () => {
    const svg = await renderChartSvg(trendChartSpec(trendInput({ series: [] })));

    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('>No levels to show for this period yet.</text>');
    expect(svg).toContain('aria-label="Team Orion &amp; friends: no levels to show for this period yet."');
    expect(Number(/^<svg [^>]*height="(\d+)"/.exec(svg)?.[1])).toBeLessThan(120);
  });

  it('treats aspects without any point as nothing to show', async () => {
    const svg = await renderChartSvg(trendChartSpec(trendInput({ series: ASPECTS.map((aspect) => ({ aspect, points: [] })) })));

    expect(svg).toContain('>No levels to show for this period yet.</text>');
  });
});

describe('the chart worker', () => {
  it('renders the trend SVG off the main thread exactly as in process, and times it', async () => {
    const input = trendInput();
    const [inWorker, inProcess] = await Promise.all([renderer.renderTrendSvg(input), renderChartSvg(trendChartSpec(input))]);

    expect(inWorker).toBe(inProcess);
    expect(timings.at(-1)?.kind).toBe('trend-svg');
    expect(timings.at(-1)?.seconds).toBeGreaterThan(0);
  });

  it('renders the empty trend in the worker too', async () => {
    const input = trendInput({ series: [] });

    expect(await renderer.renderTrendSvg(input)).toBe(await renderChartSvg(trendChartSpec(input)));
  });

  it('still answers the digest chart as a PNG beside the SVG requests', async () => {
    const digest = {
      title: 'Platform maturity',
      levelCount: 5,
      aspects: ['Observability'],
      cells: [{ team: 'Orion', aspect: 'Observability', value: 3 }],
      trend: [{ aspect: 'Observability', week: '2025-03-03', value: 3 }],
    };
    const [png, svg] = await Promise.all([renderer.render(digest), renderer.renderTrendSvg(trendInput())]);

    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(timings.map((timing) => timing.kind)).toContain('digest-png');
  });
});
