'use client';
import { forwardRef, useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

/** Props a Field hands to its control so label, hint and error are wired for assistive tech. */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

export interface FieldProps {
  label: ReactNode;
  /** Inline validation or API message for this field; shown under the control. */
  error?: string | null | undefined;
  hint?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}

/** Label + control + hint + inline error. Usage: `<Field label="Email" error={e}>{(p) => <Input {...p} />}</Field>`. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="ui-field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint ? (
        <div id={hintId} className="ui-field__hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={errorId} className="ui-field__error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={['ui-input', className ?? ''].join(' ').trim()} {...rest} />;
});

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  options: SelectOption[];
}

export const Select = forwardRef<HTMLSelectElement, SelectProps>(function Select({ className, options, ...rest }, ref) {
  return (
    <select ref={ref} className={['ui-select', className ?? ''].join(' ').trim()} {...rest}>
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
});
