/** Adaptive Card 1.5 building blocks (the schema Teams supports for bot cards). */
export type CardElement = Record<string, unknown> & { type: string };
export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  refresh?: Record<string, unknown>;
  msteams?: Record<string, unknown>;
};

export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export function card(body: CardElement[], options: { actions?: CardElement[]; refresh?: Record<string, unknown> } = {}): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(options.actions && options.actions.length > 0 ? { actions: options.actions } : {}),
    ...(options.refresh ? { refresh: options.refresh } : {}),
    msteams: { width: 'Full' },
  };
}

export function text(value: string, options: { weight?: 'Bolder'; size?: 'Small' | 'Medium' | 'Large'; isSubtle?: boolean; color?: 'Good' | 'Warning' | 'Attention' | 'Accent' } = {}): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, ...options };
}

/** Teams formats the time in each reader's own time zone. */
export function cardDate(at: Date): string {
  const iso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;
}

/**
 * A Universal Action (Action.Execute) with an Action.Submit fallback for clients that predate it; both carry
 * the verb in their data so either path reaches the same handler.
 */
export function execute(title: string, verb: string, data: Record<string, unknown>, options: { tooltip?: string; style?: 'positive' | 'destructive' } = {}): CardElement {
  return {
    type: 'Action.Execute',
    title,
    verb,
    data: { verb, ...data },
    ...(options.tooltip ? { tooltip: options.tooltip } : {}),
    ...(options.style ? { style: options.style } : {}),
    fallback: { type: 'Action.Submit', title, data: { verb, ...data } },
  };
}

export function actionSet(actions: CardElement[]): CardElement {
  return { type: 'ActionSet', actions };
}

export function facts(entries: readonly { title: string; value: string }[]): CardElement {
  return { type: 'FactSet', facts: entries.map((entry) => ({ title: entry.title, value: entry.value })) };
}

/** Cards stay well under Teams' message size limit; long text is cut with an ellipsis. */
export function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1).trimEnd()}…`;
}

/** Adaptive Card TextBlocks read a subset of Markdown; stop user text from being read as formatting. */
export function escapeMarkdown(value: string): string {
  return value.replace(/([\\*_[\]()#>`~|])/g, '\\$1');
}
