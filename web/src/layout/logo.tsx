export function Logo() {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="7" className="logo-mark" />
        <path d="M4 20h7l3-8 4 12 3-8h7" className="logo-line" />
      </svg>
      <span className="logo-word">Tripline</span>
    </span>
  );
}
