import type { TokenOptionField } from '../api/types';
import { fileBase64 } from '../components/clipboard';
import { Field } from '../components/fields';

interface OptionFieldInputProps {
  field: TokenOptionField;
  value: unknown;
  error?: string;
  onChange(value: unknown): void;
}

/** One kind-specific option, drawn from the server's description of it. */
export function OptionFieldInput({ field, value, error, onChange }: OptionFieldInputProps) {
  const label = field.required ? field.label : `${field.label} (optional)`;
  if (field.type === 'boolean') {
    return (
      <label className="check">
        <input type="checkbox" checked={value === true} onChange={(event) => onChange(event.target.checked)} />
        <span>{field.label}</span>
        {field.help && <span className="field-help">{field.help}</span>}
      </label>
    );
  }
  if (field.type === 'file') {
    return (
      <Field label={label} help={field.help} error={error}>
        <input
          className="input"
          type="file"
          required={field.required}
          // Sent as base64 in the create request; cleared when the choice is.
          onChange={(event) => {
            const chosen = event.target.files?.[0];
            if (!chosen) onChange('');
            else void fileBase64(chosen).then(onChange);
          }}
        />
      </Field>
    );
  }
  const text = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return (
    <Field label={label} help={field.help} error={error}>
      {field.type === 'select' ? (
        <select className="input" value={text} required={field.required} onChange={(event) => onChange(event.target.value)}>
          {!field.required && <option value="">default</option>}
          {(field.choices ?? []).map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      ) : field.type === 'multiline' ? (
        <textarea
          className="input mono"
          rows={4}
          value={text}
          required={field.required}
          placeholder={field.placeholder}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          className="input"
          type={field.type === 'number' ? 'number' : 'text'}
          value={text}
          required={field.required}
          placeholder={field.placeholder}
          onChange={(event) => onChange(field.type === 'number' && event.target.value !== '' ? Number(event.target.value) : event.target.value)}
        />
      )}
    </Field>
  );
}
