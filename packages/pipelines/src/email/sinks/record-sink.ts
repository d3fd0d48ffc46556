import type { EmailAttachment } from '../parse-email.js';
import type { EmailField } from '../rules-extractor.js';

/** The cleaned intake record a sink stores. */
export type IntakeRecord = Partial<Record<EmailField, string>>;

export interface CreatedRecord {
  record_type: 'account' | 'contact' | 'deal' | 'attachment';
  record_id: string;
  /** False when the record already existed and was reused. */
  created: boolean;
}

/**
 * Where intake records go (a CRM, a database). Saving is idempotent: the same key never
 * creates a second deal, contacts are upserted by e-mail address and accounts by website
 * or name, so a retried run leaves exactly one set of records.
 */
export interface RecordSink {
  readonly name: string;
  /** Attachments go with the deal where the sink can hold them (Zoho); databases keep the record only. */
  save(record: IntakeRecord, idempotencyKey: string, attachments?: readonly EmailAttachment[]): Promise<CreatedRecord[]>;
  close(): Promise<void>;
}

/** `"{job_title} ({city}) - {company}"`, the original's deal name; unknown parts say so. */
export function dealName(record: IntakeRecord): string {
  const city = record.location?.split(',')[0]?.trim();
  return `${record.job_title ?? 'Unknown role'} (${city || 'Unknown location'}) - ${record.company_name ?? 'Unknown company'}`;
}

/** Where the lead came from: a referral, a booking link, or the mailbox. */
export function leadSource(record: IntakeRecord): string {
  if (record.referrer_name) return 'Referral';
  if (record.calendly_url) return 'Website Inbound';
  return 'Email Inbound';
}
