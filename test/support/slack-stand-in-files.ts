/**
 * The file-upload part of the Slack Web API stand-in: `files.getUploadURLExternal` → POST the bytes to the
 * answered `upload_url` → `files.completeUploadExternal`, the flow Slack documents since it retired
 * `files.upload` (and the one `WebClient.filesUploadV2` runs). `SlackApiStandIn` routes the calls here and
 * lends this module its world model through `FileShareHost`, so channel rules stay in one place.
 *
 * Sources: Slack's method reference (arguments, documented errors, "This method can only be called once"),
 * @slack/web-api 8.x `WebClient.filesUploadV2` and `file-upload.js`, and answers users quote in
 * slackapi/python-slack-sdk#1575 and bolt-js#2115. Choices Slack does not document are marked INFERRED.
 */
import { blockKitProblems, isRecord } from './block-kit-limits.js';

type Body = Record<string, unknown>;

/** Where an upload stands; tests read it to see why a completion was refused. */
export type UploadState =
  /** files.getUploadURLExternal answered; no bytes yet. */
  | 'announced'
  /** Bytes arrived and their count matches the announced `length`. */
  | 'uploaded'
  /** Bytes arrived but their count differs from the announced `length`; the file cannot be completed. */
  | 'broken'
  /** files.completeUploadExternal took it; the upload URL is spent. */
  | 'completed';

export interface UploadSession {
  fileId: string;
  filename: string;
  /** The `length` announced to files.getUploadURLExternal. */
  length: number;
  state: UploadState;
  /** The last bytes POSTed to the upload URL, if any. */
  bytes?: Buffer;
  /** How the bytes came: a multipart/form-data file part (what WebClient sends) or the raw body. */
  format?: 'multipart' | 'raw';
  altText?: string;
  snippetType?: string;
}

/** A completed upload: what the workspace now holds. */
export interface SharedFile {
  id: string;
  /** The filename given to files.getUploadURLExternal. */
  name: string;
  /** The title given to files.completeUploadExternal, else the filename. */
  title: string;
  bytes: Buffer;
  /** The channel it was shared into; undefined when completed without `channel_id` (a private file). */
  channelId?: string;
  /** The thread it was shared into (its parent's ts). */
  threadTs?: string;
  initialComment?: string;
  altText?: string;
  /** ts of the message that shows the file in the channel. */
  messageTs?: string;
}

/** A file as a message lists it. */
export interface SharedFileRef {
  id: string;
  name: string;
  title: string;
}

/** What the upload module needs from the workspace it belongs to. */
export interface FileShareHost {
  readonly botUserId: string;
  readonly teamId: string;
  readonly teamDomain: string;
  now(): number;
  nextId(prefix: string): string;
  uploadUrl(fileId: string): string;
  /** Slack's refusal for sharing into this channel id, or undefined when the bot may. */
  shareError(channelId: string): string | undefined;
  /** Shows the files in the channel as one message from the bot; answers its ts and the thread it joined. */
  postFileMessage(
    channelId: string,
    message: { text: string; blocks?: unknown[]; threadTs?: string; files: SharedFileRef[] },
  ): { ts: string; threadTs?: string };
}

/** The edge's answer to an upload POST: plain text, not the Web API's JSON. */
export interface UploadAnswer {
  status: number;
  text: string;
}

/** files.getUploadURLExternal documents `alt_txt_too_large` beyond 1000 characters. */
const MAX_ALT_TEXT = 1000;
/**
 * Slack's pattern for `channel_id`, as its invalid_arguments message quotes it (bolt-js#2115). The stand-in
 * checks only the prefix letter: tests use short ids such as C1, which the `{8,}` part would refuse.
 */
const CHANNEL_ID_PATTERN = '^[CGDZ][A-Z0-9]{8,}$';

function fail(error: string, extra: Body = {}): Body {
  return { ok: false, error, ...extra };
}

function invalidArguments(message: string): Body {
  return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${message}`] } });
}

function str(args: Body, key: string): string | undefined {
  const value = args[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Buffers leave the module as copies so a test cannot change what the workspace holds. */
function copyShared(file: SharedFile): SharedFile {
  return { ...file, bytes: Buffer.from(file.bytes) };
}

export class SlackFileUploads {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly shared: SharedFile[] = [];

  constructor(private readonly host: FileShareHost) {}

  /** Completed files, oldest first: those shared into `channelId`, or all (private ones too) when omitted. */
  files(channelId?: string): SharedFile[] {
    return this.shared.filter((file) => channelId === undefined || file.channelId === channelId).map(copyShared);
  }

  /** Every upload announced so far, in its current state. */
  uploads(): UploadSession[] {
    return [...this.sessions.values()].map((session) => ({ ...session, ...(session.bytes ? { bytes: Buffer.from(session.bytes) } : {}) }));
  }

  /**
   * files.getUploadURLExternal: `filename` and `length` are required. Slack documents `missing_argument` for
   * a length of 0; a missing length answers the same and a negative or fractional one invalid_arguments
   * (INFERRED). Slack's reference names the alt text `alt_txt`; WebClient 8 sends `alt_text`, so both count.
   */
  getUploadURLExternal(args: Body): Body {
    const filename = str(args, 'filename') ?? '';
    if (filename === '') return invalidArguments('missing required field: filename');
    const rawLength = str(args, 'length');
    if (rawLength === undefined || rawLength.trim() === '' || Number(rawLength) === 0) return fail('missing_argument');
    const length = Number(rawLength);
    if (!Number.isSafeInteger(length) || length < 0) return invalidArguments('length must be a positive integer [json-pointer:/length]');
    const altText = str(args, 'alt_txt') ?? str(args, 'alt_text');
    if (altText !== undefined && altText.length > MAX_ALT_TEXT) return fail('alt_txt_too_large');
    const snippetType = str(args, 'snippet_type');
    const fileId = this.host.nextId('F');
    this.sessions.set(fileId, {
      fileId,
      filename,
      length,
      state: 'announced',
      ...(altText !== undefined ? { altText } : {}),
      ...(snippetType !== undefined ? { snippetType } : {}),
    });
    return { ok: true, upload_url: this.host.uploadUrl(fileId), file_id: fileId };
  }

  /**
   * A POST to an upload URL. Slack takes the raw body or multipart/form-data; WebClient sends multipart with
   * one file part named `body` (filename "Untitled"), Slack's curl example names it `filename`, so the first
   * file part counts whatever its name (INFERRED). The edge answers `200 OK - <bytes>` as text.
   *
   * INFERRED, because Slack documents none of it: a byte count that differs from the announced `length` is
   * still answered 200 but leaves the file `broken`, and completing it then answers `file_not_found` (real
   * Slack has been seen to answer ok and never show such files, which a test could not notice); a repeated
   * POST before completion replaces the bytes (a client retrying a lost answer); an unknown or spent URL
   * answers 404.
   */
  async receive(fileId: string, contentType: string | undefined, raw: Buffer): Promise<UploadAnswer> {
    const session = this.sessions.get(fileId);
    if (!session || session.state === 'completed') return { status: 404, text: 'Not Found' };
    let bytes = raw;
    let format: UploadSession['format'] = 'raw';
    if (contentType?.toLowerCase().startsWith('multipart/form-data')) {
      let form: FormData;
      try {
        form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      } catch {
        return { status: 400, text: 'Bad Request: malformed multipart body' };
      }
      const part = [...form.values()].find((value) => typeof value !== 'string');
      if (part === undefined || typeof part === 'string') return { status: 400, text: 'Bad Request: no file part' };
      bytes = Buffer.from(await part.arrayBuffer());
      format = 'multipart';
    }
    session.bytes = Buffer.from(bytes);
    session.format = format;
    session.state = bytes.length === session.length ? 'uploaded' : 'broken';
    return { status: 200, text: `OK - ${bytes.length}` };
  }

  /**
   * files.completeUploadExternal: `files` is a JSON array of `{ id, title? }`. Without `channel_id` the files
   * stay private; with it they are shared in one message from the bot (its text the `initial_comment`,
   * which makes Slack ignore `blocks`), in the thread `thread_ts` names. Each upload completes once.
   *
   * Refusals: `file_not_found` for an id that was never announced, has no bytes, is broken or was completed
   * already (Slack: "Could not find the file from the upload ticket"); `invalid_channel` for a channel the
   * bot cannot see (the documented code, not chat.postMessage's channel_not_found); `not_in_channel` for a
   * public channel the bot has not joined (even chat:write.public does not help here, per users' reports);
   * `is_archived` (INFERRED, as chat.postMessage); `invalid_arguments` for a user id as `channel_id`
   * (Slack wants the DM's D… id) and for `thread_ts` without `channel_id` (INFERRED). Nothing changes on a
   * refusal, so a corrected call can complete the same uploads.
   */
  completeUploadExternal(args: Body, malformed: ReadonlySet<string>): Body {
    if (malformed.has('files')) return invalidArguments('files must be a JSON array [json-pointer:/files]');
    const entries = args['files'];
    if (entries === undefined) return invalidArguments('missing required field: files');
    if (!Array.isArray(entries) || entries.length === 0) return invalidArguments('files must be a non-empty array [json-pointer:/files]');
    const requested: { id: string; title: string | undefined }[] = [];
    for (const [index, entry] of entries.entries()) {
      if (!isRecord(entry) || typeof entry['id'] !== 'string') return invalidArguments(`missing required field: id [json-pointer:/files/${index}/id]`);
      const title = entry['title'];
      if (title !== undefined && typeof title !== 'string') return invalidArguments(`must be a string [json-pointer:/files/${index}/title]`);
      requested.push({ id: entry['id'], title });
    }
    // One call names each upload once; a repeated id would complete it twice, which Slack forbids.
    if (new Set(requested.map((entry) => entry.id)).size !== requested.length) return invalidArguments('files must not repeat an id [json-pointer:/files]');
    // `channels` (comma-separated) is the legacy spelling; WebClient 8 sends `channel_id` only. Refuse loudly
    // rather than pretend to share into several channels.
    if (args['channels'] !== undefined) return fail('stand_in_does_not_model_channels_argument');

    const channelId = str(args, 'channel_id');
    const threadTs = str(args, 'thread_ts');
    if (threadTs !== undefined && channelId === undefined) return invalidArguments('thread_ts needs channel_id [json-pointer:/thread_ts]');
    if (channelId !== undefined && !/^[CGDZ][A-Z0-9]*$/.test(channelId)) {
      return invalidArguments(`input must match regex pattern: ${CHANNEL_ID_PATTERN} [json-pointer:/channel_id]`);
    }
    const sessions: UploadSession[] = [];
    for (const entry of requested) {
      const session = this.sessions.get(entry.id);
      if (!session || session.state !== 'uploaded' || !session.bytes) return fail('file_not_found');
      sessions.push(session);
    }
    if (channelId !== undefined) {
      const shareError = this.host.shareError(channelId);
      if (shareError) return fail(shareError);
    }
    const initialComment = str(args, 'initial_comment');
    let blocks: unknown[] | undefined;
    if (initialComment === undefined && args['blocks'] !== undefined) {
      const candidate = args['blocks'];
      if (malformed.has('blocks') || !Array.isArray(candidate)) return invalidArguments('blocks must be a JSON array [json-pointer:/blocks]');
      const problems = blockKitProblems(candidate, 'message');
      if (problems.length > 0) return fail('invalid_arguments', { response_metadata: { messages: problems } });
      blocks = candidate;
    }

    const created = Math.floor(this.host.now() / 1000);
    const completed = sessions.map((session, index) => {
      session.state = 'completed';
      return { session, title: requested[index]?.title ?? session.filename };
    });
    let placement: { ts: string; threadTs?: string } | undefined;
    if (channelId !== undefined) {
      placement = this.host.postFileMessage(channelId, {
        text: initialComment ?? '',
        ...(blocks ? { blocks } : {}),
        ...(threadTs !== undefined ? { threadTs } : {}),
        files: completed.map(({ session, title }) => ({ id: session.fileId, name: session.filename, title })),
      });
    }
    for (const { session, title } of completed) {
      this.shared.push({
        id: session.fileId,
        name: session.filename,
        title,
        bytes: Buffer.from(session.bytes ?? []),
        ...(channelId !== undefined ? { channelId } : {}),
        ...(placement?.threadTs !== undefined ? { threadTs: placement.threadTs } : {}),
        ...(initialComment !== undefined ? { initialComment } : {}),
        ...(session.altText !== undefined ? { altText: session.altText } : {}),
        ...(placement ? { messageTs: placement.ts } : {}),
      });
    }
    return { ok: true, files: completed.map(({ session, title }) => this.fileObject(session, title, created)) };
  }

  /**
   * The file object files.completeUploadExternal answers. Slack processes and shares files asynchronously,
   * so its immediate answer has empty `mimetype`/`filetype`, empty `channels` and `shares: {}` even when the
   * share succeeds (answers quoted in python-slack-sdk#1575); tests must read `files()` or the channel's
   * messages, not this, to see where a file went.
   */
  private fileObject(session: UploadSession, title: string, created: number): Body {
    const base = `https://files.slack.com/files-pri/${this.host.teamId}-${session.fileId}`;
    const slug = encodeURIComponent(session.filename.toLowerCase());
    return {
      id: session.fileId,
      created,
      timestamp: created,
      name: session.filename,
      title,
      mimetype: '',
      filetype: '',
      pretty_type: '',
      user: this.host.botUserId,
      user_team: this.host.teamId,
      editable: false,
      size: session.bytes?.length ?? 0,
      mode: 'hosted',
      is_external: false,
      external_type: '',
      is_public: false,
      public_url_shared: false,
      display_as_bot: false,
      username: '',
      url_private: `${base}/${slug}`,
      url_private_download: `${base}/download/${slug}`,
      media_display_type: 'unknown',
      permalink: `https://${this.host.teamDomain}.slack.com/files/${this.host.botUserId}/${session.fileId}/${slug}`,
      is_starred: false,
      has_rich_preview: false,
      file_access: 'visible',
      comments_count: 0,
      channels: [],
      groups: [],
      ims: [],
      shares: {},
      ...(session.altText !== undefined ? { alt_txt: session.altText } : {}),
    };
  }
}
