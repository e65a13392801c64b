import type { Artifact, ArtifactFile } from '../api/types';
import { base64Bytes, downloadText } from '../components/clipboard';
import { CopyButton } from '../components/copy-button';

/**
 * What a token is handed out as. The trigger URL is shown as text, never as a link or an image:
 * opening it from the dashboard would fire the token and raise a false alert.
 */
export function ArtifactPanel({ artifact }: { artifact: Artifact }) {
  const files = [...(artifact.file ? [artifact.file] : []), ...(artifact.extraFiles ?? [])];
  return (
    <div className="artifact" data-testid="artifact">
      {artifact.usage && <p className="artifact-usage">{artifact.usage}</p>}
      {artifact.url && <ArtifactValue label="Trigger URL" value={artifact.url} testId="artifact-url" />}
      {artifact.hostname && <ArtifactValue label="Hostname" value={artifact.hostname} testId="artifact-hostname" />}
      {artifact.address && <ArtifactValue label="Mail address" value={artifact.address} testId="artifact-address" />}
      {files.map((file) => (
        <ArtifactFileView key={file.name} file={file} />
      ))}
      {!artifact.url && !artifact.hostname && !artifact.address && files.length === 0 && <p className="muted">This kind has no artifact to hand out.</p>}
    </div>
  );
}

function ArtifactValue({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="artifact-value">
      <span className="field-label">{label}</span>
      <div className="artifact-line">
        <code className="mono artifact-code" data-testid={testId}>
          {value}
        </code>
        <CopyButton value={value} />
      </div>
    </div>
  );
}

function ArtifactFileView({ file }: { file: ArtifactFile }) {
  if (file.encoding === 'base64') return <BinaryFileView file={file} />;
  return (
    <div className="artifact-file">
      <div className="artifact-file-head">
        <span className="mono artifact-file-name">{file.name}</span>
        {file.mode !== undefined && <span className="muted mono">mode {file.mode.toString(8).padStart(4, '0')}</span>}
        <span className="spacer" />
        <CopyButton value={file.content} />
        <button type="button" className="button button-small" onClick={() => downloadText(baseName(file.name), file.content)}>
          Download
        </button>
      </div>
      <pre className="artifact-file-content">{file.content}</pre>
    </div>
  );
}

/**
 * A document or image: downloaded as bytes, never shown as text. A PNG (the QR code) is previewed
 * from its own bytes (a data: URL), which loads nothing from the trigger URL.
 */
function BinaryFileView({ file }: { file: ArtifactFile }) {
  const size = Math.floor((file.content.length * 3) / 4);
  return (
    <div className="artifact-file" data-testid="artifact-binary">
      <div className="artifact-file-head">
        <span className="mono artifact-file-name">{file.name}</span>
        <span className="muted">{size.toLocaleString()} bytes</span>
        <span className="spacer" />
        <button type="button" className="button button-small" onClick={() => downloadText(baseName(file.name), base64Bytes(file.content))}>
          Download
        </button>
      </div>
      {file.name.endsWith('.png') && <img className="artifact-preview" alt={`preview of ${file.name}`} src={`data:image/png;base64,${file.content}`} />}
    </div>
  );
}

/** Browsers refuse directory parts in download names; keep the file's own name. */
function baseName(name: string): string {
  return name.split(/[\\/]/).filter(Boolean).pop() ?? 'artifact.txt';
}
