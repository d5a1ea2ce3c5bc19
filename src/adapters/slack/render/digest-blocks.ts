import { targetPhrase } from '../../text/figure-text.js';
import type { DigestSectionSummary, DigestSummary, Mover } from '../../../core/digest.js';
import { isoWeekKeyAt } from '../../../core/schedule.js';
import { formatDelta, formatLevel, plural, responseRateSuffix } from '../../text/format.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { digestStepLines } from '../../text/step-text.js';
import { capBlocks, context, divider, header, LIMITS, section, type Block } from './blocks.js';
import type { SlackMessage } from './round-message.js';

const MOVERS_SHOWN = 5;

function moverLine(label: string, movers: readonly Mover[]): string | null {
  if (movers.length === 0) return null;
  const shown = movers.slice(0, MOVERS_SHOWN).map((mover) => `${escapeMrkdwn(mover.teamName)} · ${escapeMrkdwn(mover.aspectName)} ${formatDelta(mover.delta)}`);
  return `*${label}* ${shown.join(', ')}${movers.length > MOVERS_SHOWN ? `, and ${movers.length - MOVERS_SHOWN} more` : ''}`;
}

function sectionBlocks(part: DigestSectionSummary): Block[] {
  const rate = responseRateSuffix(part.participation.responseRate);
  const blocks: Block[] = [
    section(`*${escapeMrkdwn(part.surveyTitle)}* · ${plural(part.teamCount, 'team')} · ${plural(part.participation.roundsClosed, 'round')} closed this week with ${plural(part.participation.respondents, 'answer')}${rate}`),
    section(
      part.aspects
        .map((aspect) => {
          const value = aspect.value === null ? '—' : `*${formatLevel(aspect.value)}* ${escapeMrkdwn(aspect.label ?? '')}`;
          const week = aspect.week.kind === 'change' ? ` · week ${formatDelta(aspect.week.delta)}` : '';
          const quarter = aspect.quarter.kind === 'change' ? ` · 13 weeks ${formatDelta(aspect.quarter.delta)}` : '';
          return `${escapeMrkdwn(aspect.aspectName)}: ${value}${week}${quarter}`;
        })
        .join('\n'),
    ),
  ];
  const movers = [moverLine('Improved this week:', part.improvedThisWeek), moverLine('Slipped this week:', part.slippedThisWeek), moverLine('Improved over 13 weeks:', part.improvedThisQuarter), moverLine('Slipped over 13 weeks:', part.slippedThisQuarter)].filter((line): line is string => line !== null);
  if (movers.length > 0) blocks.push(section(movers.join('\n')));
  for (const below of part.belowTarget) {
    const steps = below.suggestions.slice(0, 2).map((step) => `• ${escapeMrkdwn(step)}`);
    blocks.push(section([`*Furthest below target: ${escapeMrkdwn(below.aspectName)} ${formatLevel(below.value)}* — ${targetPhrase(below.target, below.toGo, { escape: escapeMrkdwn })}${below.toward ? `; try next, toward ${escapeMrkdwn(below.toward)}:` : ':'}`, ...steps].join('\n')));
  }
  const stepLines = digestStepLines(part.steps, { bold: (value) => `*${value}*`, text: escapeMrkdwn, date: slackDate });
  if (stepLines.length > 0) blocks.push(section(stepLines.join('\n')));
  if (part.hiddenTeamCount > 0) blocks.push(context(`${plural(part.hiddenTeamCount, 'team')} hidden: no round with enough answers yet.`));
  return blocks;
}

/** The weekly digest message: movers and weak spots up front; the full table and chart follow in its thread. */
export function digestMessage(digest: DigestSummary, timeZone = 'UTC'): SlackMessage {
  const week = isoWeekKeyAt(digest.generatedAt, timeZone).replace(/^\d{4}-W/, '');
  const teams = digest.sections.reduce((sum, part) => sum + part.teamCount, 0);
  const blocks: Block[] = [header(`Platform maturity · week ${week} · ${plural(teams, 'team')}`)];
  if (digest.sections.length === 0) blocks.push(section('No teams are set up yet. Run `/maturity setup` in a team channel to start.'));
  digest.sections.forEach((part, index) => {
    if (index > 0) blocks.push(divider());
    blocks.push(...sectionBlocks(part));
  });
  blocks.push(context('Figures use closed rounds with enough answers only; nobody’s individual answer is shown. The full table (CSV) and the chart are in the thread.'));
  return { text: `Platform maturity · week ${week} · ${plural(teams, 'team')}`, blocks: capBlocks(blocks, LIMITS.messageBlocks) };
}
