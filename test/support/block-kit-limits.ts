/**
 * Block Kit validation for the Slack Web API stand-in: the documented limits of
 * api.slack.com/reference/block-kit (see /work/shared/platform-facts.md), reported the way Slack reports
 * them in `response_metadata.messages`, e.g.
 * `[ERROR] must be less than 3001 characters [json-pointer:/blocks/2/text/text]`.
 *
 * Pure functions: no I/O, so the same checks can run against renderer output in unit tests.
 * Lengths are counted in UTF-16 code units (`string.length`), which is never less than the character count
 * Slack uses: the stand-in errs on the strict side rather than accept what Slack would refuse.
 */

export type BlockKitSurface = 'message' | 'modal' | 'home';

/** The limits this module enforces, exported so tests can build payloads right at the edge. */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  accessibilityLabel: 75,
  actionId: 255,
  blockId: 255,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  overflowOptions: 5,
  choiceOptions: 10,
  placeholderText: 150,
  plainTextInputMaxLength: 3000,
  inputLabel: 2000,
  inputHint: 2000,
  imageUrl: 3000,
  imageAltText: 2000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,
} as const;

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'actions', 'divider', 'input', 'image', 'rich_text']);

/** Interactive elements that may sit in an actions block or a section accessory. */
const INTERACTIVE_ELEMENTS = new Set([
  'button',
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'overflow',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'checkboxes',
  'radio_buttons',
]);

/** Elements an input block accepts: the interactive ones minus buttons and overflow menus, plus text inputs. */
const INPUT_ELEMENTS = new Set([
  ...[...INTERACTIVE_ELEMENTS].filter((type) => type !== 'button' && type !== 'overflow'),
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'rich_text_input',
  'file_input',
]);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects problems in Slack's message format. */
class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`[ERROR] ${message} [json-pointer:${path}]`);
  }

  /** An optional string field; `required` makes absence a problem too. */
  string(value: unknown, path: string, max: number, required = false): void {
    if (value === undefined) {
      if (required) this.add(path, 'missing required field');
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, 'must be a string');
      return;
    }
    if (required && value.length === 0) this.add(path, 'must be more than 0 characters');
    if (value.length > max) this.add(path, `must be less than ${max + 1} characters`);
  }

  /**
   * A text composition object. Slack requires a type of plain_text or mrkdwn and non-empty text; many
   * fields (button labels, headers, titles) accept plain_text only.
   */
  text(value: unknown, path: string, max: number, options: { plainOnly?: boolean; required?: boolean } = {}): void {
    const { plainOnly = false, required = true } = options;
    if (value === undefined) {
      if (required) this.add(path, 'missing required field');
      return;
    }
    if (!isRecord(value)) {
      this.add(path, 'must be a text object');
      return;
    }
    const type = value['type'];
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.add(`${path}/type`, 'must be either plain_text or mrkdwn');
    } else if (plainOnly && type !== 'plain_text') {
      this.add(`${path}/type`, 'must be plain_text');
    }
    const text = value['text'];
    if (typeof text !== 'string') {
      this.add(`${path}/text`, 'must be a string');
      return;
    }
    if (text.length === 0) this.add(`${path}/text`, 'must be more than 0 characters');
    if (text.length > max) this.add(`${path}/text`, `must be less than ${max + 1} characters`);
  }

  /** An array field with an item limit; returns the items so callers can check each one. */
  array(value: unknown, path: string, max: number, options: { min?: number; required?: boolean } = {}): unknown[] {
    const { min = 0, required = true } = options;
    if (value === undefined) {
      if (required) this.add(path, 'missing required field');
      return [];
    }
    if (!Array.isArray(value)) {
      this.add(path, 'must be an array');
      return [];
    }
    const items: unknown[] = value;
    if (items.length > max) this.add(path, `no more than ${max} items allowed`);
    if (items.length < min) this.add(path, `must provide at least ${min} items`);
    return items;
  }
}

function checkOption(problems: Problems, option: unknown, path: string, allowMrkdwn: boolean): void {
  if (!isRecord(option)) {
    problems.add(path, 'must be an option object');
    return;
  }
  problems.text(option['text'], `${path}/text`, BLOCK_KIT_LIMITS.optionText, { plainOnly: !allowMrkdwn });
  problems.string(option['value'], `${path}/value`, BLOCK_KIT_LIMITS.optionValue, true);
  problems.text(option['description'], `${path}/description`, BLOCK_KIT_LIMITS.optionText, {
    plainOnly: !allowMrkdwn,
    required: false,
  });
}

function checkOptions(problems: Problems, element: Record<string, unknown>, path: string, max: number, allowMrkdwn: boolean): void {
  const options = problems.array(element['options'], `${path}/options`, max, { min: 1 });
  options.forEach((option, index) => checkOption(problems, option, `${path}/options/${index}`, allowMrkdwn));
}

function checkSelect(problems: Problems, element: Record<string, unknown>, path: string): void {
  problems.text(element['placeholder'], `${path}/placeholder`, BLOCK_KIT_LIMITS.placeholderText, {
    plainOnly: true,
    required: false,
  });
  // A static select takes either options or option_groups, never neither.
  if (element['option_groups'] !== undefined) {
    const groups = problems.array(element['option_groups'], `${path}/option_groups`, BLOCK_KIT_LIMITS.selectOptions, { min: 1 });
    groups.forEach((group, index) => {
      const groupPath = `${path}/option_groups/${index}`;
      if (!isRecord(group)) {
        problems.add(groupPath, 'must be an option group object');
        return;
      }
      problems.text(group['label'], `${groupPath}/label`, BLOCK_KIT_LIMITS.optionText, { plainOnly: true });
      checkOptions(problems, group, groupPath, BLOCK_KIT_LIMITS.selectOptions, false);
    });
    return;
  }
  checkOptions(problems, element, path, BLOCK_KIT_LIMITS.selectOptions, false);
}

function checkImageElement(problems: Problems, element: Record<string, unknown>, path: string): void {
  if (element['image_url'] === undefined && element['slack_file'] === undefined) {
    problems.add(path, 'must provide either image_url or slack_file');
  }
  problems.string(element['image_url'], `${path}/image_url`, BLOCK_KIT_LIMITS.imageUrl);
  problems.string(element['alt_text'], `${path}/alt_text`, BLOCK_KIT_LIMITS.imageAltText, true);
}

function checkLength(problems: Problems, value: unknown, path: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    problems.add(path, 'must be a non-negative integer');
  } else if (value > BLOCK_KIT_LIMITS.plainTextInputMaxLength) {
    problems.add(path, `must be less than or equal to ${BLOCK_KIT_LIMITS.plainTextInputMaxLength}`);
  }
}

/** Checks one block element; `allowed` is the set of element types the containing block accepts. */
function checkElement(problems: Problems, element: unknown, path: string, allowed: ReadonlySet<string>, actionIds: Set<string>): void {
  if (!isRecord(element)) {
    problems.add(path, 'must be an element object');
    return;
  }
  const type = element['type'];
  if (typeof type !== 'string' || !allowed.has(type)) {
    problems.add(`${path}/type`, `unsupported element type: ${String(type)}`);
    return;
  }
  if (type === 'image') {
    checkImageElement(problems, element, path);
    return;
  }
  const actionId = element['action_id'];
  problems.string(actionId, `${path}/action_id`, BLOCK_KIT_LIMITS.actionId);
  if (typeof actionId === 'string') {
    // Slack identifies the element that fired an interaction by block_id + action_id.
    if (actionIds.has(actionId)) problems.add(`${path}/action_id`, `duplicate action_id: ${actionId}`);
    actionIds.add(actionId);
  }
  switch (type) {
    case 'button': {
      problems.text(element['text'], `${path}/text`, BLOCK_KIT_LIMITS.buttonText, { plainOnly: true });
      problems.string(element['value'], `${path}/value`, BLOCK_KIT_LIMITS.buttonValue);
      problems.string(element['url'], `${path}/url`, BLOCK_KIT_LIMITS.buttonUrl);
      problems.string(element['accessibility_label'], `${path}/accessibility_label`, BLOCK_KIT_LIMITS.accessibilityLabel);
      const style = element['style'];
      if (style !== undefined && style !== 'primary' && style !== 'danger') {
        problems.add(`${path}/style`, 'must be either primary or danger');
      }
      return;
    }
    case 'static_select':
    case 'multi_static_select':
      checkSelect(problems, element, path);
      return;
    case 'overflow':
      checkOptions(problems, element, path, BLOCK_KIT_LIMITS.overflowOptions, false);
      return;
    case 'checkboxes':
    case 'radio_buttons':
      checkOptions(problems, element, path, BLOCK_KIT_LIMITS.choiceOptions, true);
      return;
    case 'plain_text_input':
      checkLength(problems, element['max_length'], `${path}/max_length`);
      checkLength(problems, element['min_length'], `${path}/min_length`);
      problems.text(element['placeholder'], `${path}/placeholder`, BLOCK_KIT_LIMITS.placeholderText, {
        plainOnly: true,
        required: false,
      });
      return;
    default:
      problems.text(element['placeholder'], `${path}/placeholder`, BLOCK_KIT_LIMITS.placeholderText, {
        plainOnly: true,
        required: false,
      });
  }
}

const CONTEXT_ELEMENTS = new Set(['image', 'plain_text', 'mrkdwn']);
const ACCESSORY_ELEMENTS = new Set([...INTERACTIVE_ELEMENTS, 'image']);

function checkBlock(problems: Problems, block: Record<string, unknown>, path: string): void {
  const actionIds = new Set<string>();
  switch (block['type']) {
    case 'section': {
      if (block['text'] === undefined && block['fields'] === undefined) {
        problems.add(path, 'must provide either text or fields');
      }
      problems.text(block['text'], `${path}/text`, BLOCK_KIT_LIMITS.sectionText, { required: false });
      const fields = problems.array(block['fields'], `${path}/fields`, BLOCK_KIT_LIMITS.sectionFields, { required: false });
      fields.forEach((field, index) => problems.text(field, `${path}/fields/${index}`, BLOCK_KIT_LIMITS.sectionFieldText));
      if (block['accessory'] !== undefined) {
        checkElement(problems, block['accessory'], `${path}/accessory`, ACCESSORY_ELEMENTS, actionIds);
      }
      return;
    }
    case 'header':
      problems.text(block['text'], `${path}/text`, BLOCK_KIT_LIMITS.headerText, { plainOnly: true });
      return;
    case 'context': {
      const elements = problems.array(block['elements'], `${path}/elements`, BLOCK_KIT_LIMITS.contextElements, { min: 1 });
      elements.forEach((element, index) => {
        const elementPath = `${path}/elements/${index}`;
        if (isRecord(element) && (element['type'] === 'plain_text' || element['type'] === 'mrkdwn')) {
          problems.text(element, elementPath, BLOCK_KIT_LIMITS.sectionText);
        } else {
          checkElement(problems, element, elementPath, CONTEXT_ELEMENTS, actionIds);
        }
      });
      return;
    }
    case 'actions': {
      const elements = problems.array(block['elements'], `${path}/elements`, BLOCK_KIT_LIMITS.actionsElements, { min: 1 });
      elements.forEach((element, index) => checkElement(problems, element, `${path}/elements/${index}`, INTERACTIVE_ELEMENTS, actionIds));
      return;
    }
    case 'input':
      problems.text(block['label'], `${path}/label`, BLOCK_KIT_LIMITS.inputLabel, { plainOnly: true });
      problems.text(block['hint'], `${path}/hint`, BLOCK_KIT_LIMITS.inputHint, { plainOnly: true, required: false });
      if (block['element'] === undefined) problems.add(`${path}/element`, 'missing required field');
      else checkElement(problems, block['element'], `${path}/element`, INPUT_ELEMENTS, actionIds);
      return;
    case 'image':
      checkImageElement(problems, block, path);
      problems.text(block['title'], `${path}/title`, BLOCK_KIT_LIMITS.imageAltText, { plainOnly: true, required: false });
      return;
    case 'rich_text':
      problems.array(block['elements'], `${path}/elements`, Number.MAX_SAFE_INTEGER);
      return;
    default:
      // divider has nothing to check
      return;
  }
}

/** Where Slack's json-pointers start for each surface. */
function blocksPointer(surface: BlockKitSurface): string {
  return surface === 'message' ? '/blocks' : '/view/blocks';
}

function collectBlockProblems(problems: Problems, blocks: unknown, surface: BlockKitSurface): void {
  const base = blocksPointer(surface);
  const max = surface === 'message' ? BLOCK_KIT_LIMITS.blocksPerMessage : BLOCK_KIT_LIMITS.blocksPerView;
  const items = problems.array(blocks, base, max);
  const blockIds = new Set<string>();
  items.forEach((block, index) => {
    const path = `${base}/${index}`;
    if (!isRecord(block)) {
      problems.add(path, 'must be a block object');
      return;
    }
    const type = block['type'];
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      problems.add(`${path}/type`, `unsupported block type: ${String(type)}`);
      return;
    }
    const blockId = block['block_id'];
    problems.string(blockId, `${path}/block_id`, BLOCK_KIT_LIMITS.blockId);
    if (typeof blockId === 'string') {
      if (blockIds.has(blockId)) problems.add(`${path}/block_id`, `duplicate block_id: ${blockId}`);
      blockIds.add(blockId);
    }
    checkBlock(problems, block, path);
  });
}

/**
 * Problems with a `blocks` array for the given surface, in Slack's `[ERROR] … [json-pointer:…]` format.
 * An empty list means Slack would accept the blocks. Pointers start at `/blocks` for messages and at
 * `/view/blocks` for modals and Home tabs, as Slack's own messages do.
 */
export function blockKitProblems(blocks: unknown, surface: BlockKitSurface): string[] {
  const problems = new Problems();
  collectBlockProblems(problems, blocks, surface);
  return problems.list;
}

/**
 * Problems with a whole view payload (views.open/update/publish): its type, the modal's title, submit and
 * close labels, private_metadata, callback_id, external_id, and its blocks. A modal with an input block
 * needs a submit button, or Slack refuses it.
 */
export function viewProblems(view: unknown, expectedType: 'modal' | 'home'): string[] {
  const problems = new Problems();
  if (!isRecord(view)) {
    problems.add('/view', 'must be a view object');
    return problems.list;
  }
  if (view['type'] !== expectedType) problems.add('/view/type', `must be ${expectedType}`);
  if (expectedType === 'modal') {
    problems.text(view['title'], '/view/title', BLOCK_KIT_LIMITS.viewTitle, { plainOnly: true });
    problems.text(view['submit'], '/view/submit', BLOCK_KIT_LIMITS.viewButton, { plainOnly: true, required: false });
    problems.text(view['close'], '/view/close', BLOCK_KIT_LIMITS.viewButton, { plainOnly: true, required: false });
    const blocks = view['blocks'];
    const hasInput = Array.isArray(blocks) && blocks.some((block) => isRecord(block) && block['type'] === 'input');
    if (hasInput && view['submit'] === undefined) problems.add('/view/submit', 'is required when the view has input blocks');
  }
  problems.string(view['private_metadata'], '/view/private_metadata', BLOCK_KIT_LIMITS.privateMetadata);
  problems.string(view['callback_id'], '/view/callback_id', BLOCK_KIT_LIMITS.callbackId);
  problems.string(view['external_id'], '/view/external_id', BLOCK_KIT_LIMITS.externalId);
  collectBlockProblems(problems, view['blocks'], expectedType);
  return problems.list;
}
