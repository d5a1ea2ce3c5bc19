import type { AspectReport, TeamReport } from '../../../core/report.js';
import { aspectLineParts, type Markup } from '../../text/figure-text.js';
import { plural } from '../../text/format.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { capBlocks, context, divider, header, LIMITS, section, type Block } from './blocks.js';

export const SLACK_MARKUP: Markup = { escape: escapeMrkdwn, bold: (text) => `*${text}*`, date: slackDate };

function aspectLine(aspect: AspectReport): string {
  const [name = '', value = '', ...rest] = aspectLineParts(aspect, SLACK_MARKUP);
  return `${name}  ${value}  ${rest.join(' · ')}`;
}

/** The report blocks shared by the ephemeral `/maturity report` reply and the App Home tab. */
export function reportBlocks(report: TeamReport, options: { withHeader?: boolean } = {}): Block[] {
  const blocks: Block[] = [];
  if (options.withHeader ?? true) blocks.push(header(`${report.teamName} · ${report.surveyTitle}`));
  if (!report.hasResults) {
    blocks.push(section(report.firstCloseAt ? `No results yet: the first round closes ${slackDate(report.firstCloseAt)}.` : 'No results yet: no round has been asked. A lead can start one with `/maturity ask`.'));
    return blocks;
  }
  blocks.push(section(report.aspects.map(aspectLine).join('\n')));
  for (const aspectId of report.furthestBelowTarget) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    const lead = aspect.suggestionsToward ? `To move *${escapeMrkdwn(aspect.aspectName)}* toward *${escapeMrkdwn(aspect.suggestionsToward)}*:` : `To keep *${escapeMrkdwn(aspect.aspectName)}* where it is:`;
    blocks.push(section([lead, ...aspect.suggestions.map((suggestion) => `• ${escapeMrkdwn(suggestion.text)}`)].join('\n')));
  }
  if (report.comments && report.comments.length > 0) {
    blocks.push(divider(), section('*Comments* (leads only; unattributed, in random order, from rounds large enough to stay anonymous)'));
    for (const group of report.comments) {
      blocks.push(section([`_${escapeMrkdwn(group.aspectName)}_`, ...group.texts.map((text) => `> ${escapeMrkdwn(text).replace(/\n/g, ' ')}`)].join('\n')));
    }
  }
  blocks.push(context(`Last ${plural(report.windowRounds, 'round')} per aspect; only closed rounds with at least ${report.minRespondents} answers with a level count. Only you can see this.`));
  return capBlocks(blocks, LIMITS.messageBlocks);
}
