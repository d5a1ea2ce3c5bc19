import type { AspectReport, TeamReport } from '../../../core/report.js';
import { formatChange, formatLevel, plural } from '../../text/format.js';
import { escapeMrkdwn, slackDate } from '../mrkdwn.js';
import { capBlocks, context, divider, header, LIMITS, section, type Block } from './blocks.js';

function aspectLine(aspect: AspectReport): string {
  const name = `*${escapeMrkdwn(aspect.aspectName)}*`;
  const open = aspect.openUntil ? ` · a round is open until ${slackDate(aspect.openUntil)}` : '';
  const status = aspect.status;
  switch (status.kind) {
    case 'not-asked':
      return `${name}  —  not asked yet${open}`;
    case 'hidden':
      return `${name}  —  hidden: ${status.answered} answered, results need ${status.needed}${open}`;
    case 'level': {
      const { figure } = status;
      const agreement = figure.agreement === 'low' ? 'agreement low — worth a conversation' : `agreement ${figure.agreement}`;
      const short = status.latestShort ? ` · the last round had ${status.latestShort.answered} of ${status.latestShort.needed} needed answers and does not count` : '';
      return `${name}  *${formatLevel(figure.value)}*  ${escapeMrkdwn(status.description.label)}  ${formatChange(status.change)}  · ${figure.latestRespondents} answered · ${agreement}${short}${open}`;
    }
  }
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
  for (const aspectId of report.weakest) {
    const aspect = report.aspects.find((candidate) => candidate.aspectId === aspectId);
    if (!aspect || aspect.suggestions.length === 0) continue;
    const lead = aspect.suggestionsToward ? `To move *${escapeMrkdwn(aspect.aspectName)}* toward *${escapeMrkdwn(aspect.suggestionsToward)}*:` : `To keep *${escapeMrkdwn(aspect.aspectName)}* where it is:`;
    blocks.push(section([lead, ...aspect.suggestions.map((suggestion) => `• ${escapeMrkdwn(suggestion)}`)].join('\n')));
  }
  if (report.comments && report.comments.length > 0) {
    blocks.push(divider(), section('*Comments* (leads only; unattributed, in random order, from rounds large enough to stay anonymous)'));
    for (const group of report.comments) {
      blocks.push(section([`_${escapeMrkdwn(group.aspectName)}_`, ...group.texts.map((text) => `> ${escapeMrkdwn(text).replace(/\n/g, ' ')}`)].join('\n')));
    }
  }
  blocks.push(context(`Last ${plural(report.windowRounds, 'round')} per aspect; only closed rounds with at least ${report.minRespondents} answers count. Only you can see this.`));
  return capBlocks(blocks, LIMITS.messageBlocks);
}
