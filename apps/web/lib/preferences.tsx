'use client';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type ThemePreference = 'light' | 'dark' | 'system';
/** 'market': each market's local time (ISO time zone); 'browser': this computer's zone; or UTC. */
export type TimezonePreference = 'browser' | 'market' | 'UTC';

/** Live events that can raise a toast. */
export const TOAST_EVENTS = ['bid_status', 'award', 'alert', 'backtest'] as const;
export type ToastEvent = (typeof TOAST_EVENTS)[number];

/** Display-only notification choices for this browser (alert rules and e-mail live on the server). */
export interface NotificationPreferences {
  toasts: Record<ToastEvent, boolean>;
  /** A short tone with each toast shown. */
  sound: boolean;
}

export interface Preferences {
  theme: ThemePreference;
  timezone: TimezonePreference;
  notifications: NotificationPreferences;
}

export const PREFS_KEY = 'optibid.prefs';
const DEFAULTS: Preferences = {
  theme: 'system',
  timezone: 'market',
  notifications: { toasts: { bid_status: true, award: true, alert: true, backtest: true }, sound: false },
};

function readNotifications(raw: unknown): NotificationPreferences {
  const n = (raw && typeof raw === 'object' ? raw : {}) as { toasts?: Record<string, unknown>; sound?: unknown };
  const toasts = { ...DEFAULTS.notifications.toasts };
  for (const e of TOAST_EVENTS) if (typeof n.toasts?.[e] === 'boolean') toasts[e] = n.toasts[e] as boolean;
  return { toasts, sound: n.sound === true };
}

function readPrefs(): Preferences {
  try {
    const raw = window.localStorage.getItem(PREFS_KEY);
    const p = raw ? (JSON.parse(raw) as Partial<Preferences>) : {};
    return {
      theme: p.theme === 'light' || p.theme === 'dark' || p.theme === 'system' ? p.theme : DEFAULTS.theme,
      timezone: p.timezone === 'browser' || p.timezone === 'market' || p.timezone === 'UTC' ? p.timezone : DEFAULTS.timezone,
      notifications: readNotifications(p.notifications),
    };
  } catch {
    return DEFAULTS;
  }
}

function systemDark(): boolean {
  return typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches === true;
}

export function resolveTheme(theme: ThemePreference): 'light' | 'dark' {
  return theme === 'system' ? (systemDark() ? 'dark' : 'light') : theme;
}

/**
 * Inline script for <head>: applies the stored theme before first paint so a dark-theme
 * user does not see a white flash on every page load.
 */
export const THEME_BOOT_SCRIPT = `(function(){try{var p=JSON.parse(localStorage.getItem('${PREFS_KEY}')||'{}');var t=p.theme;if(t!=='light'&&t!=='dark'){t=window.matchMedia&&window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}document.documentElement.setAttribute('data-theme',t)}catch(e){}})();`;

interface PreferencesContextValue {
  prefs: Preferences;
  /** The theme actually shown ('system' resolved). */
  theme: 'light' | 'dark';
  setPrefs: (patch: Partial<Preferences>) => void;
}

const PreferencesContext = createContext<PreferencesContextValue | null>(null);

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const [prefs, setState] = useState<Preferences>(DEFAULTS);
  const [theme, setTheme] = useState<'light' | 'dark'>('light');

  useEffect(() => {
    setState(readPrefs());
    const onStorage = (e: StorageEvent) => {
      if (e.key === PREFS_KEY) setState(readPrefs());
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);

  useEffect(() => {
    const apply = () => {
      const t = resolveTheme(prefs.theme);
      document.documentElement.setAttribute('data-theme', t);
      setTheme(t);
    };
    apply();
    if (prefs.theme !== 'system' || !window.matchMedia) return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [prefs.theme]);

  const setPrefs = useCallback((patch: Partial<Preferences>) => {
    setState((prev) => {
      const next = { ...prev, ...patch };
      try {
        window.localStorage.setItem(PREFS_KEY, JSON.stringify(next));
      } catch {
        /* storage unavailable: keep the choice for this tab only */
      }
      return next;
    });
  }, []);

  const value = useMemo(() => ({ prefs, theme, setPrefs }), [prefs, theme, setPrefs]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

export function usePreferences(): PreferencesContextValue {
  const ctx = useContext(PreferencesContext);
  if (!ctx) throw new Error('usePreferences must be used inside <PreferencesProvider>');
  return ctx;
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The IANA zone to display times in. `marketTimeZone` is the zone of the market the
 * value belongs to (e.g. 'America/Chicago' for ERCOT); without one, 'market' falls back to the browser zone.
 */
export function useDisplayTimeZone(marketTimeZone?: string): string {
  const { prefs } = usePreferences();
  if (prefs.timezone === 'UTC') return 'UTC';
  if (prefs.timezone === 'market' && marketTimeZone) return marketTimeZone;
  return browserTimeZone();
}
