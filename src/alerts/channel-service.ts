import type { Logger } from 'pino';
import { ValidationError } from '../core/errors.js';
import { newRowId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { ChannelRepository, type Channel } from '../store/repositories/channels.js';
import type { Db } from '../store/db.js';
import { AGENT_CHANNELS_ID } from './agent-alerts.js';
import { parseFilters, type ChannelFilters } from './channel-filters.js';
import type { ChannelInput } from './channels/kind.js';
import { channelKind } from './channels/registry.js';
import { testMessage, type AlertMessage } from './message.js';
import type { AlertSettings } from './settings.js';
import { checkChannelUrl } from './target-guard.js';

export const MAX_CHANNEL_NAME = 200;

export interface CreateChannelInput extends ChannelInput {
  kind: string;
  name?: string;
  /** Applies to every token that names no channels of its own. */
  isDefault?: boolean;
  /** Receives the alerts about agents (silent, back, stopped) instead of the default channels. */
  forAgents?: boolean;
}

/** A channel as the API shows it: settings described by the kind, secrets never in full. */
export interface ChannelView {
  id: string;
  name: string;
  kind: string;
  isDefault: boolean;
  settings: Record<string, unknown>;
  /** Which alerts it takes (channel-filters.ts); {} takes all. */
  filters: ChannelFilters;
  createdAt: string;
}

export interface ChannelTestResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** Channel rules over the channel repository: checked settings, redacted views, test sends. */
export class ChannelService {
  readonly repository: ChannelRepository;

  constructor(
    db: Db,
    private readonly settings: Pick<AlertSettings, 'timeoutMs' | 'smtp' | 'allowPrivateTargets'>,
    private readonly log: Logger,
    private readonly publicUrl: () => string,
  ) {
    this.repository = new ChannelRepository(db);
  }

  /** Creates a channel; the view carries, once, any secret generated for it. */
  async create(input: CreateChannelInput): Promise<ChannelView & Record<string, unknown>> {
    const kind = channelKind(input.kind);
    const name = (input.name ?? `${kind.kind} channel`).trim();
    if (name === '' || name.length > MAX_CHANNEL_NAME) {
      throw new ValidationError(`name must be 1 to ${MAX_CHANNEL_NAME} characters`, { field: 'name' });
    }
    const configured = kind.configure(input);
    if (typeof configured.config.url === 'string') await checkChannelUrl(configured.config.url, this.settings.allowPrivateTargets);
    const channel = await this.repository.create({
      id: newRowId(),
      name,
      kind: kind.kind,
      isDefault: input.isDefault ?? false,
      config: configured.config,
      createdAt: isoNow(),
    });
    if (input.forAgents) await this.repository.linkToken(AGENT_CHANNELS_ID, [channel.id]);
    return { ...this.present(channel), ...(configured.revealOnce ?? {}) };
  }

  async list(): Promise<ChannelView[]> {
    return (await this.repository.list()).map((c) => this.present(c));
  }

  async get(id: string): Promise<ChannelView> {
    return this.present(await this.repository.get(id));
  }

  delete(id: string): Promise<void> {
    return this.repository.delete(id);
  }

  /**
   * Sends a made-up alert straight to the channel (not through the outbox) and reports the outcome:
   * the status and our own description of a failure, never what the receiver answered.
   */
  async test(id: string): Promise<ChannelTestResult> {
    const channel = await this.repository.get(id);
    const started = performance.now();
    const result = await this.send(channel, testMessage(this.publicUrl(), channel.name));
    if (!result.ok && result.detail) this.log.info({ channel: channel.id, status: result.status, answer: result.detail }, 'channel test failed');
    return {
      ok: result.ok,
      status: result.status,
      error: result.ok ? null : result.error,
      durationMs: Math.round(performance.now() - started),
    };
  }

  /** Sends a message about the server itself to every channel at once; answers how many took it. */
  async notifyAll(message: AlertMessage): Promise<{ sent: number; failed: number }> {
    const outcome = { sent: 0, failed: 0 };
    for (const channel of await this.repository.list()) {
      const result = await this.send(channel, message).catch((error: unknown) => ({ ok: false as const, error: (error as Error).message }));
      if (result.ok) outcome.sent++;
      else {
        outcome.failed++;
        this.log.warn({ channel: channel.id, error: result.error }, 'server notice not delivered to a channel');
      }
    }
    return outcome;
  }

  private send(channel: Channel, message: AlertMessage) {
    return channelKind(channel.kind).send(message, channel.config, {
      timeoutMs: this.settings.timeoutMs,
      smtp: this.settings.smtp,
      allowPrivateTargets: this.settings.allowPrivateTargets,
      log: this.log,
    });
  }

  present(channel: Channel): ChannelView {
    return {
      id: channel.id,
      name: channel.name,
      kind: channel.kind,
      isDefault: channel.isDefault,
      settings: channelKind(channel.kind).describe(channel.config),
      filters: parseFilters(channel.filters),
      createdAt: channel.createdAt,
    };
  }
}
