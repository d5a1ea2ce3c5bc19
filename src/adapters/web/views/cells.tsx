import type { OrgCell } from '../../../core/org-table.js';
import type { AspectStatus } from '../../../core/report.js';
import type { Change } from '../../../core/trends.js';
import { shortfallText } from '../../text/figure-text.js';
import { formatDate, formatDelta, formatLevel } from '../../text/format.js';

/** The arrow and the words for a change: the arrow is for the eye, the words for everyone (screen readers read them). */
export function ChangeMark(props: { change: Change; timeZone?: string }) {
  const { change } = props;
  const zone = props.timeZone ?? 'UTC';
  if (change.kind === 'none') return <span class="trend-steady">no earlier figure</span>;
  const arrow = change.direction === 'improved' ? '▲' : change.direction === 'slipped' ? '▼' : '▶';
  const css = change.direction === 'improved' ? 'trend-up' : change.direction === 'slipped' ? 'trend-down' : 'trend-steady';
  const words = change.direction === 'steady' ? `steady since ${formatDate(change.since, zone)}` : `${change.direction === 'improved' ? 'up' : 'down'} ${formatDelta(change.delta)} since ${formatDate(change.since, zone)}`;
  return (
    <span class={css}>
      <span aria-hidden="true">{arrow} </span>
      {words}
    </span>
  );
}

/** The short arrow alone, with its meaning for screen readers: for dense tables. */
export function ChangeArrow(props: { change: Change }) {
  const { change } = props;
  if (change.kind === 'none') return null;
  const arrow = change.direction === 'improved' ? '▲' : change.direction === 'slipped' ? '▼' : '▶';
  const css = change.direction === 'improved' ? 'trend-up' : change.direction === 'slipped' ? 'trend-down' : 'trend-steady';
  const words = change.direction === 'steady' ? 'steady' : `${change.direction === 'improved' ? 'up' : 'down'} ${formatDelta(change.delta)}`;
  return (
    <span class={css} title={words}>
      {' '}
      <span aria-hidden="true">{arrow}</span>
      <span class="visually-hidden">{words}</span>
    </span>
  );
}

/** CSS class of a level cell: the whole level reached picks the colour. */
export function levelClass(reached: number): string {
  return `cell level-${Math.max(1, Math.min(5, reached))}`;
}

/** One heatmap cell: a level with its arrow, or why it is hidden (a count and the number needed, never a value). */
export function OrgCellView(props: { cell: OrgCell }) {
  const { cell } = props;
  if (cell.kind === 'level') {
    return (
      <td class={levelClass(cell.reached)} title={cell.label}>
        <strong>{formatLevel(cell.value)}</strong>
        <ChangeArrow change={cell.change} />
        <span class="visually-hidden">, {cell.levelName}</span>
      </td>
    );
  }
  if (cell.kind === 'hidden') return <td class="cell hidden">{shortfallText(cell)}</td>;
  return <td class="cell not-asked">not asked yet</td>;
}

/** An aspect's status on a team page, in words. */
export function statusText(status: AspectStatus): string {
  if (status.kind === 'not-asked') return 'Not asked yet';
  if (status.kind === 'hidden') return `Hidden: ${shortfallText(status)}`;
  return `${formatLevel(status.figure.value)} · ${status.description.label}`;
}
