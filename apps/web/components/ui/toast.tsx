'use client';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { Tone } from './badge';

export interface ToastInput {
  title: string;
  message?: string;
  tone?: Exclude<Tone, 'neutral'>;
  /** Milliseconds before it disappears; 0 keeps it until dismissed. Default 5000. */
  duration_ms?: number;
}

interface ToastItem extends ToastInput {
  id: number;
}

interface ToastApi {
  show: (toast: ToastInput) => void;
  dismiss: (id: number) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error('useToast must be used inside <ToastProvider>');
  return ctx;
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setItems((list) => list.filter((t) => t.id !== id)), []);
  const show = useCallback(
    (toast: ToastInput) => {
      const id = nextId.current++;
      // Keep at most 5 on screen: a burst of live events must not cover the page.
      setItems((list) => [...list.slice(-4), { ...toast, id }]);
      const duration = toast.duration_ms ?? 5000;
      if (duration > 0) setTimeout(() => dismiss(id), duration);
    },
    [dismiss],
  );
  const api = useMemo(() => ({ show, dismiss }), [show, dismiss]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="ui-toasts" aria-live="polite" aria-relevant="additions">
        {items.map((t) => (
          <div key={t.id} className={`ui-toast ui-toast--${t.tone ?? 'info'}`} role={t.tone === 'danger' ? 'alert' : 'status'}>
            <div className="ui-toast__body">
              <div className="ui-toast__title">{t.title}</div>
              {t.message ? <div>{t.message}</div> : null}
            </div>
            <button type="button" className="ui-button ui-button--ghost ui-button--sm" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
