import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Channel, Token, TokenKindInfo } from '../api/types';
import { useApi } from '../auth/session';
import { Field } from '../components/fields';
import { createToken, type NewToken } from './token-api';
import { OptionFieldInput } from './option-field-input';

interface TokenFormProps {
  kind: TokenKindInfo;
  /** Alert channels to pick from; undefined when the server has none to offer. */
  channels: Channel[] | undefined;
  onCreated(token: Token): void;
}

function initialOptions(kind: TokenKindInfo): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const field of kind.options) {
    if (field.type === 'select' && field.required && field.choices?.[0]) options[field.name] = field.choices[0].value;
  }
  return options;
}

/** Drops empty optional values, so the server applies its own defaults. */
function presentOptions(options: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept = Object.entries(options).filter(([, value]) => value !== '' && value !== undefined && value !== false);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** The create form for one kind: memo, the kind's own options, and where its alerts go. */
export function TokenForm({ kind, channels, onCreated }: TokenFormProps) {
  const api = useApi();
  const [memo, setMemo] = useState('');
  const [redirect, setRedirect] = useState('');
  const [options, setOptions] = useState<Record<string, unknown>>(() => initialOptions(kind));
  const [chosenChannels, setChosenChannels] = useState<string[]>([]);
  const [alertWindow, setAlertWindow] = useState('');
  const [severity, setSeverity] = useState('');
  const [tags, setTags] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);

  const fieldError = (field: string) => (error instanceof ApiError && error.field === field ? error.message : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const request: NewToken = { kind: kind.kind, memo: memo.trim() };
    if (kind.acceptsRedirect && redirect.trim()) request.redirect = redirect.trim();
    const chosenOptions = presentOptions(options);
    if (chosenOptions) request.options = chosenOptions;
    if (chosenChannels.length > 0) request.channels = chosenChannels;
    if (alertWindow.trim() !== '') request.alertWindowSeconds = Number(alertWindow);
    if (severity) request.severity = severity;
    const tagList = tags.split(/[\s,]+/).filter(Boolean);
    if (tagList.length > 0) request.tags = tagList;
    try {
      onCreated(await createToken(api, request));
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  const unplacedError =
    error && !(error instanceof ApiError && error.field && ['memo', 'redirect', 'alertWindowSeconds', 'severity', 'tags'].includes(error.field));
  return (
    <form className="form" onSubmit={submit} aria-label={`New ${kind.kind} token`}>
      <Field label="Memo" help="Where you plant it and why. Every alert quotes it." error={fieldError('memo')}>
        <input
          className="input"
          name="memo"
          required
          maxLength={1000}
          value={memo}
          placeholder="e.g. Web bug in the finance share's README"
          onChange={(event) => setMemo(event.target.value)}
        />
      </Field>
      {kind.acceptsRedirect && (
        <Field label="Redirect (optional)" help="Answer hits with a redirect to this URL instead of a 1×1 image." error={fieldError('redirect')}>
          <input
            className="input"
            name="redirect"
            type="url"
            value={redirect}
            placeholder="https://intranet.example.com/"
            onChange={(event) => setRedirect(event.target.value)}
          />
        </Field>
      )}
      {kind.options.map((field) => (
        <OptionFieldInput
          key={field.name}
          field={field}
          value={options[field.name]}
          error={fieldError(`options.${field.name}`)}
          onChange={(value) => setOptions((current) => ({ ...current, [field.name]: value }))}
        />
      ))}
      {channels && channels.length > 0 && (
        <fieldset className="fieldset">
          <legend className="field-label">Alert channels</legend>
          <p className="field-help">Leave all unticked to use the default channels.</p>
          <div className="check-list">
            {channels.map((channel) => (
              <label className="check" key={channel.id}>
                <input
                  type="checkbox"
                  checked={chosenChannels.includes(channel.id)}
                  onChange={(event) =>
                    setChosenChannels((current) => (event.target.checked ? [...current, channel.id] : current.filter((id) => id !== channel.id)))
                  }
                />
                <span>{channel.name}</span>
                <span className="muted">
                  {channel.kind}
                  {channel.isDefault ? ' · default' : ''}
                </span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <details className="advanced">
        <summary>Advanced</summary>
        <Field label="Severity" help="Channels can take only tokens of a minimum severity. Empty: high." error={fieldError('severity')}>
          <select className="input input-narrow" aria-label="Severity" value={severity} onChange={(event) => setSeverity(event.target.value)}>
            <option value="">default (high)</option>
            {['low', 'medium', 'high', 'critical'].map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label="Tags (optional)"
          help="Separated by commas or spaces, e.g. prod, team:payments. Channels and the Activity view filter by them."
          error={fieldError('tags')}
        >
          <input className="input" aria-label="Tags" value={tags} onChange={(event) => setTags(event.target.value)} />
        </Field>
        <Field
          label="Alert window in seconds (optional)"
          help="Repeated hits within this window fold into one alert. Empty uses the server's default."
          error={fieldError('alertWindowSeconds')}
        >
          <input
            className="input input-narrow"
            type="number"
            min={0}
            max={86400}
            value={alertWindow}
            onChange={(event) => setAlertWindow(event.target.value)}
          />
        </Field>
      </details>
      {unplacedError && (
        <p className="banner banner-error" role="alert">
          {error.message}
        </p>
      )}
      <div className="form-actions">
        <button className="button button-primary" type="submit" disabled={busy || memo.trim() === ''}>
          {busy ? 'Creating…' : `Create ${kind.kind} token`}
        </button>
      </div>
    </form>
  );
}
