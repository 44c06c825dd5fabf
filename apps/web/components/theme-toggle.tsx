'use client';
import { usePreferences } from '@/lib/preferences';

/** Flips between light and dark (an explicit choice; Settings also offers "system"). */
export function ThemeToggle() {
  const { theme, setPrefs } = usePreferences();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="ui-button ui-button--ghost ui-button--sm"
      onClick={() => setPrefs({ theme: next })}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span>
      <span>{theme === 'dark' ? 'Light' : 'Dark'}</span>
    </button>
  );
}
