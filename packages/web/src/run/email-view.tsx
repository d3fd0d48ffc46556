import type { RunModel } from './run-model.js';

const FIELD_ORDER = ['candidate_name', 'job_title', 'company_name', 'location', 'email', 'phone', 'website', 'calendly_url', 'referrer_name', 'referrer_email', 'industry'];

/** The model's tokens as they stream, each field the moment it is known, research, the validated record and the CRM records. */
export function EmailView({ model }: { model: RunModel }) {
  const result = model.terminal?.event_type === 'processing_completed' ? (model.terminal.result as { extracted?: Record<string, unknown> } | undefined) : undefined;
  const fields = [...model.extracted.entries()].sort(([a], [b]) => rank(a) - rank(b));
  return (
    <section className="panel email" aria-labelledby="email-title">
      <h2 id="email-title">Email</h2>
      {model.tokens && (
        <>
          <h3>Model answer</h3>
          <pre className="tokens" data-testid="tokens">
            {model.tokens}
          </pre>
        </>
      )}
      <h3>Fields as they are found</h3>
      {fields.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <dl className="email-fields" data-testid="email-fields">
          {fields.map(([name, field]) => (
            <div key={name} className="email-field" data-field={name}>
              <dt>{name.replaceAll('_', ' ')}</dt>
              <dd>{String(field.value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {model.research && (
        <>
          <h3>Company research</h3>
          <p data-testid="research">
            {String(model.research.result['company_name'] ?? 'nothing found')} · {model.research.status}
            {model.research.confidence !== undefined ? ` · ${Math.round(model.research.confidence * 100)}% sure` : ''}
            {model.research.source ? ` · ${model.research.source}` : ''}
          </p>
        </>
      )}
      {result?.extracted && (
        <>
          <h3>Validated record</h3>
          <dl className="email-fields" data-testid="validated">
            {Object.entries(result.extracted)
              .filter(([, value]) => value !== null && value !== undefined && value !== '')
              .map(([name, value]) => (
                <div key={name} className="email-field">
                  <dt>{name.replaceAll('_', ' ')}</dt>
                  <dd>{String(value)}</dd>
                </div>
              ))}
          </dl>
        </>
      )}
      {model.records.length > 0 && (
        <>
          <h3>Records</h3>
          <ul className="records" data-testid="records">
            {model.records.map((record, index) => (
              <li key={index}>
                {record.created ? 'created' : 'found'} {record.record_type} <code>{record.record_id}</code> in {record.sink}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function rank(name: string): number {
  const index = FIELD_ORDER.indexOf(name);
  return index < 0 ? FIELD_ORDER.length : index;
}
