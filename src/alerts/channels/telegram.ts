import { escapeHtml, truncate, visibleText } from '../escape.js';
import { headline, hitFacts, summary } from '../facts.js';
import type { AlertMessage } from '../message.js';
import { checkToken, SET } from './credential.js';
import { httpChannel, redactUrl } from './http-channel.js';
import { at, parseJson, textAt } from './service-answer.js';

export const TELEGRAM_API_URL = 'https://api.telegram.org';
const BOT_TOKEN = /^\d{1,20}:[A-Za-z0-9_-]{20,100}$/;
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;
// sendMessage takes 4096 characters after entities are parsed; the markup is counted generously.
const MAX_TEXT = 3800;

function html(text: string, max: number): string {
  return escapeHtml(truncate(visibleText(text, true), max));
}

/** The message in Telegram's HTML parse mode: only <b>, <pre> and <a>, attacker text HTML-escaped. */
export function telegramText(message: AlertMessage): string {
  const lines = [`<b>${html(headline(message), 300)}</b>`, html(summary(message), 1000), ''];
  for (const f of hitFacts(message.firstHit)) {
    const line = f.long ? `<b>${html(f.label, 60)}</b>\n<pre>${html(f.value, 800)}</pre>` : `<b>${html(f.label, 60)}:</b> ${html(f.value, 400)}`;
    if (lines.join('\n').length + line.length > MAX_TEXT) break;
    lines.push(line);
  }
  lines.push('', `Hits: ${message.hitCount} · <a href="${escapeHtml(message.link)}">Open the token in Tripline</a>`);
  return lines.join('\n');
}

/** Telegram Bot API sendMessage: POST <api>/bot<token>/sendMessage to one chat. */
export const telegramChannel = httpChannel({
  kind: 'telegram',
  title: 'Telegram (Bot API sendMessage)',
  defaultUrl: TELEGRAM_API_URL,
  render: (message, config) => ({
    chat_id: String(config.chatId),
    text: telegramText(message),
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  }),
  target: (url, config) => `${url.replace(/\/+$/, '')}/bot${String(config.botToken)}/sendMessage`,
  configure(input) {
    const botToken = checkToken(input.botToken, 'botToken', 'a bot token from @BotFather (123456:ABC...)', { pattern: BOT_TOKEN });
    const chatId = checkToken(input.chatId, 'chatId', 'a chat id (a number, negative for groups) or @channelname', { pattern: CHAT_ID, max: 40 });
    return { config: { botToken, chatId } };
  },
  describe: (config) => ({ url: redactUrl(config.url), chatId: config.chatId, botToken: SET }),
  api: {
    // Errors are {"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}.
    reason: (text) => textAt(parseJson(text), ['description']),
    // A 429 says how long to wait in parameters.retry_after (seconds), not in a header.
    retryAfterMs: (text) => {
      const seconds = Number(at(parseJson(text), 'parameters', 'retry_after'));
      return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
    },
  },
  secrets: (config) => [String(config.botToken)],
});
