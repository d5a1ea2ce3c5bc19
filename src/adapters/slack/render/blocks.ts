import { escapeMrkdwn, truncate } from '../mrkdwn.js';

/** Block Kit limits the renderers respect (api.slack.com/reference/block-kit). */
export const LIMITS = {
  messageBlocks: 50,
  surfaceBlocks: 100,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  accessibilityLabel: 75,
  optionText: 75,
  inputLabel: 2000,
  viewTitle: 24,
  privateMetadata: 3000,
} as const;

export type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };
export type MrkdwnText = { type: 'mrkdwn'; text: string };
/** A Block Kit block as Slack's API takes it (the Web API client's `Block` shape). */
export type Block = { type: string; block_id?: string } & Record<string, unknown>;

export function plain(text: string, max: number = LIMITS.sectionText): PlainText {
  return { type: 'plain_text', text: truncate(text, max), emoji: true };
}

/** A mrkdwn text object; `text` is already mrkdwn (escape user text before building it). */
export function mrkdwn(text: string, max: number = LIMITS.sectionText): MrkdwnText {
  return { type: 'mrkdwn', text: truncate(text, max) };
}

export function header(text: string): Block {
  return { type: 'header', text: plain(text, LIMITS.headerText) };
}

export function section(text: string, accessory?: Record<string, unknown>): Block {
  return accessory ? { type: 'section', text: mrkdwn(text), accessory } : { type: 'section', text: mrkdwn(text) };
}

export function context(...texts: string[]): Block {
  return { type: 'context', elements: texts.slice(0, LIMITS.contextElements).map((text) => mrkdwn(text)) };
}

export function divider(): Block {
  return { type: 'divider' };
}

export function button(text: string, actionId: string, value: string, options: { style?: 'primary' | 'danger'; accessibilityLabel?: string } = {}): Record<string, unknown> {
  return {
    type: 'button',
    text: plain(text, LIMITS.buttonText),
    action_id: actionId,
    value: truncate(value, LIMITS.buttonValue),
    ...(options.style ? { style: options.style } : {}),
    ...(options.accessibilityLabel ? { accessibility_label: truncate(options.accessibilityLabel, LIMITS.accessibilityLabel) } : {}),
  };
}

export function actions(elements: Record<string, unknown>[], blockId?: string): Block {
  return { type: 'actions', ...(blockId ? { block_id: blockId } : {}), elements: elements.slice(0, 25) };
}

/** Keeps a block list within a surface's limit, ending with a note that more was left out. */
export function capBlocks(blocks: Block[], limit: number, note = 'More is left out here; use the command line report for everything.'): Block[] {
  if (blocks.length <= limit) return blocks;
  return [...blocks.slice(0, limit - 1), context(escapeMrkdwn(note))];
}
