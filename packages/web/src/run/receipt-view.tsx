import { useState } from 'react';
import { labelColour, type LabeledField, type ReceiptWord, type RunModel } from './run-model.js';
import { useImageUrl } from './use-image-url.js';

/** The receipt with every word box over it, coloured by label as fields arrive; then fields, line items and the totals check. */
export function ReceiptView({ runId, model }: { runId: string; model: RunModel }) {
  const [imageSize, setImageSize] = useState<{ width: number; height: number } | undefined>(undefined);
  const [noImage, setNoImage] = useState(false);
  const [focused, setFocused] = useState<ReceiptWord | undefined>(undefined);
  const imageUrl = useImageUrl(runId);
  const words = model.words ?? [];
  const extent = words.reduce((size, word) => ({ width: Math.max(size.width, word.box[0] + word.box[2]), height: Math.max(size.height, word.box[1] + word.box[3]) }), { width: 1, height: 1 });
  const size = imageSize ?? extent;
  const focusedField = focused ? model.labelByWord.get(focused.word_id) : undefined;
  const verdict = model.validations.length === 0 ? undefined : model.validations.every((rule) => rule.passed || rule.severity !== 'error') ? 'passed' : 'failed';

  return (
    <section className="panel receipt" aria-labelledby="receipt-title">
      <h2 id="receipt-title">Receipt</h2>
      <div className="receipt-layout">
        <figure className="receipt-figure">
          <div className="receipt-canvas" style={{ aspectRatio: `${size.width} / ${size.height}` }}>
            {!noImage && imageUrl !== undefined && (
              <img
                src={imageUrl}
                alt="The receipt"
                onLoad={(event) => setImageSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })}
                onError={() => setNoImage(true)}
              />
            )}
            <svg viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none" data-testid="word-boxes" aria-label={`${words.length} words, ${model.labelByWord.size} labelled`}>
              {words.map((word) => {
                const field = model.labelByWord.get(word.word_id);
                return (
                  <rect
                    key={word.word_id}
                    x={word.box[0]}
                    y={word.box[1]}
                    width={word.box[2]}
                    height={word.box[3]}
                    className={field ? 'word labelled' : 'word'}
                    data-label={field?.field_name}
                    style={field ? { stroke: labelColour(field.field_name), fill: labelColour(field.field_name) } : undefined}
                    onMouseEnter={() => setFocused(word)}
                    onMouseLeave={() => setFocused(undefined)}
                  >
                    <title>{field ? `${word.text} — ${field.field_name} ${howSure(field)}` : word.text}</title>
                  </rect>
                );
              })}
            </svg>
          </div>
          <figcaption className="word-detail" aria-live="polite">
            {focused ? <WordDetail word={focused} field={focusedField} /> : words.length > 0 ? 'Point at a word to see its label.' : 'Waiting for the words…'}
          </figcaption>
        </figure>
        <div className="receipt-tables">
          <h3>Fields</h3>
          <table data-testid="fields">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Value</th>
                <th scope="col">Confidence</th>
              </tr>
            </thead>
            <tbody>
              {model.fields.map((field, index) => (
                <tr key={index}>
                  <td>
                    <span className="swatch" style={{ background: labelColour(field.field_name) }} aria-hidden="true" />
                    {field.field_name}
                  </td>
                  <td>{field.value}</td>
                  <td>{percent(field.confidence)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {model.lineItems.length > 0 && (
            <>
              <h3>Line items</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Item</th>
                    <th scope="col">Qty</th>
                    <th scope="col">Price</th>
                  </tr>
                </thead>
                <tbody>
                  {model.lineItems.map((item, index) => (
                    <tr key={index}>
                      <td>{item.description}</td>
                      <td>{item.quantity ? `${item.quantity.amount}${item.quantity.unit ? ` ${item.quantity.unit}` : ''}` : ''}</td>
                      <td>{item.price?.extended_price?.toFixed(2) ?? item.price?.unit_price?.toFixed(2) ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {verdict && (
            <>
              <h3>
                Totals check: <span className={`verdict verdict-${verdict}`} data-testid="totals-verdict">{verdict}</span>
              </h3>
              <ul className="rules">
                {model.validations.map((rule, index) => (
                  <li key={index} className={rule.passed ? 'rule-passed' : `rule-${rule.severity ?? 'error'}`}>
                    <span aria-hidden="true">{rule.passed ? '✓' : rule.severity === 'warning' ? '!' : '✗'}</span> <strong>{rule.rule}</strong> {rule.message}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </section>
  );
}

function WordDetail({ word, field }: { word: ReceiptWord; field: LabeledField | undefined }) {
  if (!field) return <>“{word.text}” — not labelled</>;
  return (
    <>
      “{word.text}” — <strong>{field.field_name}</strong> {howSure(field)}
    </>
  );
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** A label's confidence and reasoning, as the box's tooltip and the caption both say it. */
function howSure(field: LabeledField): string {
  return `${percent(field.confidence)}${field.reasoning ? `: ${field.reasoning}` : ''}`;
}
