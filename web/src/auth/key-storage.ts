// The API key lives in sessionStorage: it survives a reload of the tab but not closing it, and
// is never written to a URL, a cookie or localStorage.
const STORAGE_KEY = 'tripline.apiKey';

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // Storage may be disabled; the key then lives in memory until the tab reloads.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
