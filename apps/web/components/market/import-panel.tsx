'use client';
import { useRef, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ImportReport } from '@optibid/contracts';
import { Button, Card, ErrorMessage, Field, Input, Notice, ProgressBar, Select, Table } from '@/components/ui';
import { ApiError, getAccessToken } from '@/lib/api';

const RUN_OPTIONS = [
  { value: '', label: 'Detect from the file' },
  { value: 'DA', label: 'Day-ahead (DA)' },
  { value: 'RT5', label: 'Real-time 5 min (RT5)' },
  { value: 'RT15', label: 'Real-time 15 min (RT15)' },
  { value: 'RTH', label: 'Real-time hourly (RTH)' },
];

/**
 * POSTs multipart with XMLHttpRequest because fetch cannot report upload progress.
 * Resolves with the import report; rejects with the API's error message.
 */
export function uploadPriceFiles(form: FormData, onProgress: (loaded: number, total: number) => void): Promise<ImportReport> {
  return getAccessToken().then(
    (token) =>
      new Promise<ImportReport>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', '/api/prices/import');
        if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
        xhr.setRequestHeader('accept', 'application/json');
        xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
        xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The upload failed: the server could not be reached.'));
        xhr.onload = () => {
          let body: unknown;
          try {
            body = JSON.parse(xhr.responseText);
          } catch {
            body = undefined;
          }
          if (xhr.status >= 200 && xhr.status < 300) return resolve(body as ImportReport);
          const err = (body as { error?: { code?: string; message?: string; details?: unknown[] } } | undefined)?.error;
          reject(new ApiError(xhr.status, err?.code ?? 'http_error', err?.message ?? `The server answered ${xhr.status}`, err?.details));
        };
        xhr.send(form);
      }),
  );
}

export function ImportPanel({ markets }: { markets: { value: string; label: string }[] }) {
  const queryClient = useQueryClient();
  const fileRef = useRef<HTMLInputElement>(null);
  const [market, setMarket] = useState('');
  const [run, setRun] = useState('');
  const [location, setLocation] = useState('');
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const files = fileRef.current?.files;
    if (!files || files.length === 0) {
      setFileError('Choose one or more price files (CSV, XLSX, ZIP or GZ).');
      return;
    }
    setFileError(null);
    const form = new FormData();
    // Fields first: the server reads parts in order.
    if (market) form.append('market', market);
    if (location.trim()) form.append('location', location.trim());
    if (run) form.append('run', run);
    for (const f of Array.from(files)) form.append('files', f, f.name);
    setBusy(true);
    setError(null);
    setReport(null);
    setProgress({ loaded: 0, total: Array.from(files).reduce((s, f) => s + f.size, 0) });
    try {
      const r = await uploadPriceFiles(form, (loaded, total) => setProgress({ loaded, total }));
      setReport(r);
      queryClient.invalidateQueries({ queryKey: ['prices'] });
      queryClient.invalidateQueries({ queryKey: ['markets'] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const pct = progress && progress.total > 0 ? (progress.loaded / progress.total) * 100 : undefined;
  return (
    <Card title="Import price files">
      <form onSubmit={onSubmit} className="stack" style={{ gap: '0.5rem' }} data-testid="import-form">
        <div className="form-grid">
          <Field label="Files" error={fileError} hint="ISO CSV/XLSX exports, EIA, epftoolbox or gridstatus; .zip and .gz too.">
            {(p) => <Input {...p} ref={fileRef} type="file" multiple name="files" />}
          </Field>
          <Field label="Market (optional)">
            {(p) => <Select {...p} value={market} onChange={(e) => setMarket(e.target.value)} options={[{ value: '', label: 'Detect from the file' }, ...markets]} />}
          </Field>
          <Field label="Location (optional)" hint="For files without a location column.">
            {(p) => <Input {...p} value={location} onChange={(e) => setLocation(e.target.value)} />}
          </Field>
          <Field label="Run (optional)">{(p) => <Select {...p} value={run} onChange={(e) => setRun(e.target.value)} options={RUN_OPTIONS} />}</Field>
        </div>
        <div className="row">
          <Button type="submit" loading={busy}>
            Upload and import
          </Button>
          {progress ? (
            <div style={{ flex: 1, minWidth: 200 }} data-testid="upload-progress">
              <ProgressBar value={pct} label="Upload progress" />
              <span className="muted" style={{ fontSize: '0.8rem' }}>
                {busy && pct !== undefined && pct >= 100 ? 'Uploaded; the server is importing…' : `${Math.round(pct ?? 0)} % of ${(progress.total / 1024).toFixed(0)} KiB`}
              </span>
            </div>
          ) : null}
        </div>
      </form>
      <ErrorMessage error={error} title="Import failed" />
      {report ? <ImportReportView report={report} /> : null}
    </Card>
  );
}

export function ImportReportView({ report }: { report: ImportReport }) {
  return (
    <div className="stack" style={{ gap: '0.5rem', marginTop: '0.75rem' }} data-testid="import-report">
      <Notice tone={report.rejected > 0 || report.refused.length > 0 ? 'warning' : 'success'}>
        <strong>
          {report.inserted} inserted, {report.updated} updated, {report.unchanged} unchanged, {report.rejected} rejected
        </strong>
        {report.refused.length ? ` · ${report.refused.length} file(s) refused` : ''}
      </Notice>
      <Table
        columns={[
          { key: 'file', header: 'File', render: (f) => <span className="mono">{f.file}</span> },
          { key: 'format', header: 'Format', render: (f) => f.format },
          { key: 'where', header: 'Market / locations', render: (f) => `${f.markets.join(', ')} · ${f.locations.slice(0, 3).join(', ')}${f.locations.length > 3 ? '…' : ''}` },
          { key: 'rows', header: 'Rows', numeric: true, render: (f) => f.rows },
          { key: 'ins', header: 'Inserted', numeric: true, render: (f) => f.inserted },
          { key: 'upd', header: 'Updated', numeric: true, render: (f) => f.updated },
          { key: 'rej', header: 'Rejected', numeric: true, render: (f) => f.rejected },
        ]}
        rows={report.files}
        rowKey={(f) => f.file}
      />
      {report.refused.map((r) => (
        <ErrorMessage key={r.file} error={new Error(`${r.file}: ${r.reason}`)} />
      ))}
      {report.rejections.length > 0 ? (
        <Table
          caption={`Rejected rows (first ${report.rejections.length})`}
          columns={[
            { key: 'file', header: 'File', render: (r) => <span className="mono">{r.file}</span> },
            { key: 'line', header: 'Line', numeric: true, render: (r) => (r.sheet ? `${r.sheet}:${r.line}` : r.line) },
            { key: 'reason', header: 'Reason', render: (r) => r.reason },
          ]}
          rows={report.rejections.slice(0, 200)}
          rowKey={(r) => `${r.file}:${r.sheet ?? ''}:${r.line}:${r.reason}`}
        />
      ) : null}
    </div>
  );
}
