'use client';
import Link from 'next/link';
import { Card } from '@/components/ui';
import { TOAST_EVENTS, usePreferences, type ToastEvent } from '@/lib/preferences';

const LABELS: Record<ToastEvent, { label: string; hint: string }> = {
  bid_status: { label: 'Bid status changes', hint: 'accepted, rejected, cleared, cancelled' },
  award: { label: 'Awards', hint: 'energy awarded when a market clears your bids' },
  alert: { label: 'Alerts', hint: 'price and system alerts from your alert rules and the platform' },
  backtest: { label: 'Backtests finished', hint: 'a backtest succeeded or failed' },
};

/**
 * Which live events pop up as toasts in this browser, and whether they make a
 * sound. Display only: the events still arrive (lists and the dashboard update);
 * which alerts exist and which are e-mailed is set by alert rules on the server.
 */
export function NotificationSettings() {
  const { prefs, setPrefs } = usePreferences();
  const n = prefs.notifications;
  const setToast = (e: ToastEvent, on: boolean) => setPrefs({ notifications: { ...n, toasts: { ...n.toasts, [e]: on } } });
  return (
    <Card title="Notifications" data-testid="notification-settings">
      <fieldset style={{ border: 'none', padding: 0, margin: 0 }}>
        <legend style={{ fontWeight: 500, marginBottom: '0.4rem' }}>Show a toast for</legend>
        <div className="stack" style={{ gap: '0.4rem' }}>
          {TOAST_EVENTS.map((e) => (
            <label key={e} style={{ display: 'flex', gap: '0.5rem', alignItems: 'flex-start' }}>
              <input type="checkbox" name={`toast-${e}`} checked={n.toasts[e]} onChange={(ev) => setToast(e, ev.target.checked)} style={{ marginTop: '0.25rem' }} />
              <span style={{ flex: 1, minWidth: 0 }}>
                {LABELS[e].label}
                <span className="muted" style={{ display: 'block', fontSize: '0.8rem' }}>
                  {LABELS[e].hint}
                </span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <label style={{ display: 'flex', gap: '0.5rem', alignItems: 'flex-start', marginTop: '0.75rem' }}>
        <input type="checkbox" name="toast-sound" checked={n.sound} onChange={(ev) => setPrefs({ notifications: { ...n, sound: ev.target.checked } })} style={{ marginTop: '0.25rem' }} />
        <span style={{ flex: 1, minWidth: 0 }}>Play a short sound with each toast</span>
      </label>
      <p className="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.85rem' }}>
        Stored in this browser. Which alerts fire and which are e-mailed is set by alert rules on the <Link href="/notifications">Notifications</Link> page.
      </p>
    </Card>
  );
}
