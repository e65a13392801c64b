import type { NewChannel } from './channel-api';

/** A setting a channel kind takes beyond its URL, as the form asks for it. */
export interface KindSetting {
  field: 'format' | 'facility' | 'ca' | 'token' | 'apiKey' | 'routingKey' | 'botToken' | 'chatId' | 'index' | 'sourcetype' | 'severity';
  label: string;
  /** A credential: typed into a password box, never shown again. */
  secret?: boolean;
  required?: boolean;
  multiline?: boolean;
  options?: string[];
  placeholder?: string;
  help?: string;
}

// The settings of the SIEM, paging and chat outputs (docs/channels.md); the server checks each.
export const KIND_SETTINGS: Record<string, KindSetting[]> = {
  syslog: [
    { field: 'format', label: 'Body format', options: ['cef', 'json'], help: 'CEF for ArcSight-style SIEMs, or the webhook JSON.' },
    { field: 'facility', label: 'Facility (optional)', placeholder: 'auth' },
    {
      field: 'ca',
      label: 'CA certificate (optional, tls:// only)',
      multiline: true,
      placeholder: '-----BEGIN CERTIFICATE-----',
      help: 'PEM of the CA to trust instead of the system CAs.',
    },
  ],
  splunk: [
    { field: 'token', label: 'HEC token', secret: true, required: true },
    { field: 'index', label: 'Index (optional)', placeholder: 'main' },
    { field: 'sourcetype', label: 'Sourcetype (optional)', placeholder: 'tripline:alert' },
  ],
  elasticsearch: [
    { field: 'apiKey', label: 'API key (optional)', secret: true, help: 'The encoded API key; or put user:password in the URL.' },
    { field: 'index', label: 'Index or data stream (optional)', placeholder: 'logs-tripline-default' },
  ],
  pagerduty: [
    { field: 'routingKey', label: 'Routing key', secret: true, required: true, help: 'The integration key of an Events API v2 integration.' },
    { field: 'severity', label: 'Severity', options: ['critical', 'error', 'warning', 'info'] },
  ],
  telegram: [
    { field: 'botToken', label: 'Bot token', secret: true, required: true, placeholder: '123456:ABC…' },
    { field: 'chatId', label: 'Chat', required: true, placeholder: '-1001234567890 or @channel' },
  ],
  otlp: [{ field: 'token', label: 'Bearer token (optional)', secret: true }],
};

/** Kinds whose URL defaults to the service's public API: the form may leave it empty. */
export const DEFAULT_URLS: Record<string, string> = {
  pagerduty: 'https://events.pagerduty.com/v2/enqueue',
  telegram: 'https://api.telegram.org',
};

export const MORE_URL_HINTS: Record<string, string> = {
  syslog: 'udp://, tcp:// or tls://siem.example.com:6514',
  splunk: 'https://splunk.example.com:8088',
  elasticsearch: 'https://elastic.example.com:9200',
  mattermost: 'https://mattermost.example.com/hooks/…',
  'teams-workflow': 'https://…logic.azure.com/workflows/…',
  otlp: 'https://otel-collector.example.com:4318',
};

/** The kind's settings from the form's values: empty optional ones are left out for the server's default. */
export function kindSettings(kind: string, values: Record<string, string>): Partial<NewChannel> {
  const settings: Partial<NewChannel> = {};
  for (const setting of KIND_SETTINGS[kind] ?? []) {
    const value = (values[setting.field] ?? (setting.options ? setting.options[0] : '')) || '';
    if (value.trim() !== '') settings[setting.field] = setting.multiline ? value : value.trim();
  }
  return settings;
}
