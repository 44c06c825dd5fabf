'use client';
import { useEffect, useState } from 'react';
import { Card, Field, Select } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { NotificationSettings } from './notification-settings';
import { browserTimeZone, useDisplayTimeZone, usePreferences, type ThemePreference, type TimezonePreference } from '@/lib/preferences';

const THEME_OPTIONS = [
  { value: 'system', label: 'Same as the operating system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export default function SettingsPage() {
  const { prefs, theme, setPrefs } = usePreferences();
  const tz = useDisplayTimeZone();
  const [now, setNow] = useState<Date | null>(null);
  useEffect(() => {
    setNow(new Date());
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  const browserTz = now ? browserTimeZone() : '';

  return (
    <>
      <div className="page-header">
        <h1>Settings</h1>
        <span className="muted">Stored in this browser only.</span>
      </div>
      <div className="grid" style={{ maxWidth: 960 }}>
        <Card title="Appearance">
          <Field label="Theme" hint={`Currently showing the ${theme} theme.`}>
            {(p) => (
              <Select {...p} name="theme" value={prefs.theme} options={THEME_OPTIONS} onChange={(e) => setPrefs({ theme: e.target.value as ThemePreference })} />
            )}
          </Field>
        </Card>
        <Card title="Time display">
          <Field
            label="Display timezone"
            hint="Market prices and gate closures use each market's local time unless you choose otherwise. Every time shown carries its zone."
          >
            {(p) => (
              <Select
                {...p}
                name="timezone"
                value={prefs.timezone}
                options={[
                  { value: 'market', label: "Market local time (each ISO's zone)" },
                  { value: 'browser', label: `This computer's time zone${browserTz ? ` (${browserTz})` : ''}` },
                  { value: 'UTC', label: 'UTC' },
                ]}
                onChange={(e) => setPrefs({ timezone: e.target.value as TimezonePreference })}
              />
            )}
          </Field>
          <p className="muted" style={{ margin: 0, fontSize: '0.9rem' }} data-testid="time-preview">
            Times not tied to a market now read: {now ? formatDateTime(now, tz) : '…'}
          </p>
        </Card>
        <NotificationSettings />
      </div>
    </>
  );
}
