import type { Hit } from '../api/types';
import { asObject, asString, isFileDetail, isHttpDetail } from './detail-values';

/** One line that says what happened: the request line, the file access, or the trigger's own summary. */
export function hitSummary(hit: Hit): string {
  const detail = hit.detail;
  if (isHttpDetail(detail)) {
    const query = asString(detail.query);
    return `${asString(detail.method)} ${asString(detail.path)}${query ? `?${query}` : ''}`;
  }
  if (isFileDetail(detail)) {
    const access = asObject(detail.access);
    if (access) {
      const process = asObject(access.process);
      return `${asString(access.access) ?? 'access'} ${asString(access.path) ?? ''} by ${asString(process?.binary) ?? 'unknown process'}`;
    }
    const tamper = asObject(detail.tamper);
    return `${asString(tamper?.change) ?? 'changed'} ${asString(tamper?.path) ?? ''}`;
  }
  return asString(detail.summary) ?? '';
}
