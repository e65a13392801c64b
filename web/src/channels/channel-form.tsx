import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useApi } from '../auth/session';
import { Field } from '../components/fields';
import { createChannel, type CreatedChannel, type NewChannel } from './channel-api';
import { DEFAULT_URLS, KIND_SETTINGS, kindSettings, MORE_URL_HINTS } from './kind-settings';

// Which settings each channel kind takes (the API's ChannelInput): email sends to addresses,
// every other kind posts to a URL; webhooks may sign with a secret, Alertmanager sets a severity.
function settingsFor(kind: string) {
  return {
    to: kind === 'email',
    url: kind !== 'email',
    secret: kind === 'webhook',
    severity: kind === 'alertmanager',
  };
}

const URL_HINTS: Record<string, string> = {
  webhook: 'https://hooks.example.com/tripline',
  slack: 'https://hooks.slack.com/services/…',
  teams: 'https://example.webhook.office.com/…',
  discord: 'https://discord.com/api/webhooks/…',
  googlechat: 'https://chat.googleapis.com/v1/spaces/…',
  alertmanager: 'http://alertmanager:9093',
  ...MORE_URL_HINTS,
};

interface ChannelFormProps {
  kinds: string[];
  onCreated(channel: CreatedChannel): void;
}

export function ChannelForm({ kinds, onCreated }: ChannelFormProps) {
  const api = useApi();
  const [kind, setKind] = useState(kinds[0] ?? 'webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [to, setTo] = useState('');
  const [secret, setSecret] = useState('');
  const [severity, setSeverity] = useState('critical');
  const [extra, setExtra] = useState<Record<string, string>>({});
  const [isDefault, setIsDefault] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const takes = settingsFor(kind);
  const fieldError = (field: string) => (error instanceof ApiError && error.field === field ? error.message : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const request: NewChannel = { kind, default: isDefault, ...kindSettings(kind, extra) };
    if (name.trim()) request.name = name.trim();
    if (takes.url && (url.trim() || !DEFAULT_URLS[kind])) request.url = url.trim();
    if (takes.to) request.to = to.split(/[,\s]+/).filter(Boolean);
    if (takes.secret && secret) request.secret = secret;
    if (takes.severity) request.severity = severity;
    try {
      onCreated(await createChannel(api, request));
      setName('');
      setUrl('');
      setTo('');
      setSecret('');
      setExtra({});
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  const placed =
    error instanceof ApiError &&
    error.field !== undefined &&
    ['url', 'to', 'secret', 'severity', 'name', ...(KIND_SETTINGS[kind] ?? []).map((s) => s.field)].includes(error.field);
  return (
    <form className="form form-grid" onSubmit={submit} aria-label="Add a channel">
      <Field label="Kind">
        <select
          className="input"
          value={kind}
          onChange={(event) => {
            setKind(event.target.value);
            setExtra({});
          }}
        >
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Name (optional)" error={fieldError('name')}>
        <input className="input" value={name} placeholder={`${kind} channel`} onChange={(event) => setName(event.target.value)} />
      </Field>
      {takes.url && (
        <Field
          label="URL"
          error={fieldError('url')}
          help={
            kind === 'alertmanager' ? 'Alertmanager base URL; alerts go to /api/v2/alerts.' : DEFAULT_URLS[kind] ? 'Leave empty for the public API.' : undefined
          }
        >
          <input
            className="input"
            type="url"
            required={!DEFAULT_URLS[kind]}
            value={url}
            placeholder={DEFAULT_URLS[kind] ?? URL_HINTS[kind] ?? 'https://…'}
            onChange={(event) => setUrl(event.target.value)}
          />
        </Field>
      )}
      {takes.to && (
        <Field label="Recipients" help="Addresses separated by commas or spaces." error={fieldError('to')}>
          <input className="input" required value={to} placeholder="soc@example.com" onChange={(event) => setTo(event.target.value)} />
        </Field>
      )}
      {takes.secret && (
        <Field label="Signing secret (optional)" help="Leave empty and the server generates one, shown once." error={fieldError('secret')}>
          <input className="input" type="password" autoComplete="off" value={secret} onChange={(event) => setSecret(event.target.value)} />
        </Field>
      )}
      {takes.severity && (
        <Field label="Severity" error={fieldError('severity')}>
          <input className="input" value={severity} onChange={(event) => setSeverity(event.target.value)} />
        </Field>
      )}
      {(KIND_SETTINGS[kind] ?? []).map((setting) => {
        const value = extra[setting.field] ?? '';
        const set = (next: string) => setExtra({ ...extra, [setting.field]: next });
        return (
          <Field key={setting.field} label={setting.label} help={setting.help} error={fieldError(setting.field)}>
            {setting.options ? (
              <select className="input" value={value || setting.options[0]} onChange={(event) => set(event.target.value)}>
                {setting.options.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </select>
            ) : setting.multiline ? (
              <textarea className="input" rows={3} value={value} placeholder={setting.placeholder} onChange={(event) => set(event.target.value)} />
            ) : (
              <input
                className="input"
                type={setting.secret ? 'password' : 'text'}
                autoComplete="off"
                required={setting.required}
                value={value}
                placeholder={setting.placeholder}
                onChange={(event) => set(event.target.value)}
              />
            )}
          </Field>
        );
      })}
      <label className="check form-grid-wide">
        <input type="checkbox" checked={isDefault} onChange={(event) => setIsDefault(event.target.checked)} />
        <span>Default channel</span>
        <span className="field-help">Alerts of every token that names no channels of its own go here.</span>
      </label>
      {error && !placed && (
        <p className="banner banner-error form-grid-wide" role="alert">
          {error.message}
        </p>
      )}
      <div className="form-actions form-grid-wide">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}
