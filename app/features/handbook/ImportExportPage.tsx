import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Alert, Button, Card, EmptyState, TextField, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { HANDBOOK_IMPORT_MAX_BYTES } from '@common/api/handbook.transfer';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';
import { exportUrl, transferApi, uploadExport, type ImportJobView } from './transfer-api';

const MIB = HANDBOOK_IMPORT_MAX_BYTES / 1024 / 1024;
/** How often the page asks for a running import's progress. */
const POLL_MS = 1000;

/** Stewards import a Federated Wiki export file or site, and download the handbook's export. */
export function ImportExportPage() {
  const { t } = useTranslation('handbook');
  const { isSteward } = useSession();
  useDocumentTitle(t('transfer.title'));
  if (!isSteward) {
    return (
      <HandbookLayout>
        <EmptyState icon="shield" title={t('transfer.forbidden')} />
      </HandbookLayout>
    );
  }
  return (
    <HandbookLayout>
      <article className="hb-article hb-transfer">
        <p className="hb-crumbs">
          <Link to="/handbook/-/settings">
            <HbIcon name="arrowLeft" size={14} /> {t('transfer.back')}
          </Link>
        </p>
        <header className="hb-head">
          <h1>{t('transfer.title')}</h1>
        </header>
        <p className="lead">{t('transfer.lead')}</p>
        <ImportPanel />
        <Card title={t('transfer.exportTitle')} description={t('transfer.exportHint')}>
          <a className="btn btn-secondary btn-md" href={exportUrl} download>
            <HbIcon name="download" size={16} />
            {t('transfer.download')}
          </a>
        </Card>
      </article>
    </HandbookLayout>
  );
}

function ImportPanel() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const { session } = useSession();
  const fileId = useId();
  const [file, setFile] = useState<File | undefined>();
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [replace, setReplace] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);

  const job = useQuery({
    queryKey: ['handbook', 'import-job', jobId],
    queryFn: () => transferApi.job(jobId ?? ''),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.job.status === 'running' ? POLL_MS : false),
  });
  const status = job.data?.job.status;
  useEffect(() => {
    // The pages, sections and diagrams changed: read them again.
    if (status === 'done')
      void client.invalidateQueries({ queryKey: ['handbook'], refetchType: 'all' });
  }, [status, client]);

  const started = (r: { job: ImportJobView }) => {
    client.setQueryData(['handbook', 'import-job', r.job.id], r);
    setJobId(r.job.id);
  };
  const fromFile = useMutation({
    mutationFn: (f: File) => uploadExport(f, replace, session?.csrfToken),
    onSuccess: started,
  });
  const fromSite = useMutation({
    mutationFn: (u: string) => transferApi.importSite(u, replace),
    onSuccess: started,
  });
  const running = status === 'running' || fromFile.isPending || fromSite.isPending;
  const error = fromFile.error ?? fromSite.error ?? job.error;

  const submitFile = (e: FormEvent) => {
    e.preventDefault();
    fromSite.reset();
    if (file === undefined) return setFileProblem(t('transfer.noFile'));
    // Said before the upload; the server refuses it too (413).
    if (file.size > HANDBOOK_IMPORT_MAX_BYTES)
      return setFileProblem(t('transfer.tooLarge', { mib: MIB }));
    setFileProblem(null);
    fromFile.mutate(file);
  };
  const submitSite = (e: FormEvent) => {
    e.preventDefault();
    fromFile.reset();
    fromSite.mutate(url.trim());
  };

  return (
    <Card title={t('transfer.importTitle')} description={t('transfer.importHint')}>
      <div className="hb-transfer-forms">
        <form className="hb-transfer-form" onSubmit={submitFile} aria-labelledby={`${fileId}-h`}>
          <h3 id={`${fileId}-h`}>{t('transfer.fromFile')}</h3>
          <div className="field">
            <label htmlFor={fileId}>{t('transfer.file', { mib: MIB })}</label>
            <input
              id={fileId}
              type="file"
              accept=".json,application/json"
              aria-invalid={fileProblem !== null}
              aria-describedby={fileProblem !== null ? `${fileId}-err` : undefined}
              onChange={(e) => {
                setFile(e.target.files?.[0]);
                setFileProblem(null);
              }}
            />
            {fileProblem !== null && (
              <p className="field-error" id={`${fileId}-err`}>
                {fileProblem}
              </p>
            )}
          </div>
          <Button type="submit" disabled={running} busy={fromFile.isPending}>
            <HbIcon name="upload" size={16} />
            {t('transfer.importFile')}
          </Button>
        </form>
        <form className="hb-transfer-form" onSubmit={submitSite} aria-labelledby={`${fileId}-s`}>
          <h3 id={`${fileId}-s`}>{t('transfer.fromSite')}</h3>
          <TextField
            label={t('transfer.url')}
            hint={t('transfer.urlHint')}
            type="url"
            required
            inputMode="url"
            placeholder="https://"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
          <Button type="submit" disabled={running} busy={fromSite.isPending}>
            <HbIcon name="download" size={16} />
            {t('transfer.importSite')}
          </Button>
        </form>
      </div>
      <label className="hb-check hb-transfer-replace">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
        {t('transfer.replace')}
      </label>
      {error !== null && <Alert tone="danger">{errorMessage(error)}</Alert>}
      {job.data !== undefined && <JobStatus job={job.data.job} />}
    </Card>
  );
}

/** The running import's progress, then its report. */
function JobStatus({ job }: { job: ImportJobView }) {
  const { t } = useTranslation('handbook');
  if (job.status === 'running') {
    const known = job.total > 0;
    return (
      <div className="hb-transfer-progress" role="status">
        <p>
          {!known
            ? t('transfer.readingStart')
            : t(job.phase === 'writing' ? 'transfer.writing' : 'transfer.reading', {
                done: job.done,
                total: job.total,
              })}
        </p>
        <progress
          aria-label={t('transfer.progress')}
          {...(known ? { value: job.done, max: job.total } : {})}
        />
      </div>
    );
  }
  const report = job.report;
  const refused = report?.refused ?? [];
  const renamed = report?.renamedItems ?? [];
  return (
    <section className="hb-transfer-report" role="status" aria-label={t('transfer.report')}>
      {job.status === 'done' ? (
        <Alert tone="success">
          {t('transfer.done', { count: report?.imported ?? 0 })}
          {(report?.replacedStarter ?? 0) > 0 &&
            ` ${t('transfer.replacedStarter', { count: report?.replacedStarter ?? 0 })}`}
          {renamed.length > 0 && ` ${t('transfer.renamed', { count: renamed.length })}`}{' '}
          <Link to="/handbook">{t('transfer.open')}</Link>
        </Alert>
      ) : (
        <Alert tone="danger">
          {job.status === 'failed'
            ? t('transfer.failed')
            : t('transfer.refused', { count: refused.length })}
        </Alert>
      )}
      {refused.length > 0 && (
        <div className="hb-table-wrap">
          <table className="hb-refused">
            <caption className="visually-hidden">{t('transfer.report')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('transfer.page')}</th>
                <th scope="col">{t('transfer.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {refused.map((r, i) => (
                <tr key={`${r.page}-${i}`}>
                  <td>{r.page}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
