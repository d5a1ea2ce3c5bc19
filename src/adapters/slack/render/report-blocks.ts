import type { AspectReport, TeamReport } from '../../../core/report.js';
import { aspectLineParts, type Markup } from '../../text/figure-text.js';
import { plural } from '../../text/format.js';
import { stepSummaryLine } from '../../text/step-text.js';
import { escapeMrkdwn, SLACK_TEXT_STYLE, slackDate, truncate } from '../mrkdwn.js';
import { actions, button, capBlocks, context, divider, header, LIMITS, section, type Block } from './blocks.js';
import { adoptValue, STEP_ACTION } from './step-blocks.js';

export const SLACK_MARKUP: Markup = { escape: escapeMrkdwn, bold: (text) => `*${text}*`, date: slackDate };

function aspectLine(aspect: AspectReport): string {
  const [name = '', value = '', ...rest] = aspectLineParts(aspect, SLACK_MARKUP);
  return `${name}  ${value}  ${rest.join(' · ')}`;
}

/** An aspect's open and recently done steps, one line each; null when it has none. */
function stepLines(aspect: AspectReport): string | null {
  const steps = [...aspect.openSteps, ...aspect.doneSteps];
  if (steps.length === 0) return null;
  return [`_Next steps · ${escapeMrkdwn(aspect.aspectName)}_`, ...steps.map((step) => `• ${stepSummaryLine(step, SLACK_TEXT_STYLE)}`)].join('\n');
}

/** One section per suggestion with "We'll do this", then "Add our own step": for those who may adopt steps. */
function adoptableSuggestions(report: TeamReport, aspect: AspectReport, lead: string): Block[] {
  const blocks: Block[] = [section(lead)];
  for (const suggestion of aspect.suggestions) {
    const value = adoptValue({ teamId: report.teamId, aspectId: aspect.aspectId, suggestionId: suggestion.id });
    blocks.push(section(`• ${escapeMrkdwn(suggestion.text)}`, button("We'll do this", STEP_ACTION.adopt, value, { accessibilityLabel: `Adopt: ${suggestion.text}` })));
  }
  const own = adoptValue({ teamId: report.teamId, aspectId: aspect.aspectId, suggestionId: null });
  blocks.push(actions([button('Add our own step', STEP_ACTION.own, own, { accessibilityLabel: `Add a step of your own for ${truncate(aspect.aspectName, 40)}` })]));
  return blocks;
}

/**
 * The report blocks shared by the ephemeral `/maturity report` reply and the App Home tab. With
 * `canManageSteps` (a lead or admin of the team) each suggestion gets "We'll do this".
 */
export function reportBlocks(report: TeamReport, options: { withHeader?: boolean; canManageSteps?: boolean } = {}): Block[] {
  const blocks: Block[] = [];
  if (options.withHeader ?? true) blocks.push(header(`${report.teamName} · ${report.surveyTitle}`));
  const steps = report.aspects.map(stepLines).filter((lines): lines is string => lines !== null);
  if (!report.hasResults) {
    blocks.push(section(report.firstCloseAt ? `No results yet: the first round closes ${slackDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked. A lead can start one with `/maturity ask`.'));
    if (steps.length > 0) blocks.push(section(steps.join('\n')));
    return blocks;
  }
  blocks.push(section(report.aspects.map(aspectLine).join('\n')));
  for (const aspectId of report.furthestBelowTarget) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    const lead = aspect.suggestionsToward ? `To move *${escapeMrkdwn(aspect.aspectName)}* toward *${escapeMrkdwn(aspect.suggestionsToward)}*:` : `To keep *${escapeMrkdwn(aspect.aspectName)}* where it is:`;
    if (options.canManageSteps) blocks.push(...adoptableSuggestions(report, aspect, lead));
    else blocks.push(section([lead, ...aspect.suggestions.map((suggestion) => `• ${escapeMrkdwn(suggestion.text)}`)].join('\n')));
  }
  if (steps.length > 0) blocks.push(section(steps.join('\n')));
  if (report.comments && report.comments.length > 0) {
    blocks.push(divider(), section('*Comments* (leads only; unattributed, in random order, from rounds large enough to stay anonymous)'));
    for (const group of report.comments) {
      blocks.push(section([`_${escapeMrkdwn(group.aspectName)}_`, ...group.texts.map((text) => `> ${escapeMrkdwn(text).replace(/\n/g, ' ')}`)].join('\n')));
    }
  }
  blocks.push(context(`Last ${plural(report.windowRounds, 'round')} per aspect; only closed rounds with at least ${report.minRespondents} answers with a level count. Only you can see this.`));
  return capBlocks(blocks, LIMITS.messageBlocks);
}
