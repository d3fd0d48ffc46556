import { dealName, leadSource, type CreatedRecord, type IntakeRecord } from './record-sink.js';

export interface StoredDeal {
  id: string;
  contact_id: string | null;
  account_id: string | null;
}

/** The statements one save needs, run inside the sink's transaction. */
export interface IntakeStatements {
  findDeal(idempotencyKey: string): Promise<StoredDeal | undefined>;
  findAccount(website: string | null, name: string): Promise<string | undefined>;
  insertAccount(id: string, record: IntakeRecord): Promise<void>;
  findContact(email: string): Promise<string | undefined>;
  /** Fills the contact's empty fields; what it already holds stays. */
  updateContact(id: string, record: IntakeRecord, accountId: string | null): Promise<void>;
  insertContact(id: string, record: IntakeRecord, accountId: string | null): Promise<void>;
  insertDeal(deal: { id: string; idempotencyKey: string; name: string; source: string; contactId: string | null; accountId: string | null }, record: IntakeRecord): Promise<void>;
}

/** What a retried save answers: the records its first try made, none created anew. */
export function reusedRecords(deal: StoredDeal): CreatedRecord[] {
  return [
    ...(deal.account_id ? [{ record_type: 'account' as const, record_id: deal.account_id, created: false }] : []),
    ...(deal.contact_id ? [{ record_type: 'contact' as const, record_id: deal.contact_id, created: false }] : []),
    { record_type: 'deal', record_id: deal.id, created: false },
  ];
}

/**
 * One intake save, the same for every database: a deal already made under the key is
 * returned as it is; otherwise the account is found by website or name, the contact by
 * e-mail address, and one deal is created, named and sourced as the original did.
 */
export async function saveIntake(statements: IntakeStatements, record: IntakeRecord, idempotencyKey: string): Promise<CreatedRecord[]> {
  const existing = await statements.findDeal(idempotencyKey);
  if (existing) return reusedRecords(existing);
  const records: CreatedRecord[] = [];
  let accountId: string | null = null;
  if (record.company_name) {
    const found = await statements.findAccount(record.website ?? null, record.company_name);
    accountId = found ?? crypto.randomUUID();
    if (!found) await statements.insertAccount(accountId, record);
    records.push({ record_type: 'account', record_id: accountId, created: !found });
  }
  let contactId: string | null = null;
  if (record.email || record.candidate_name) {
    const found = record.email ? await statements.findContact(record.email) : undefined;
    contactId = found ?? crypto.randomUUID();
    if (found) await statements.updateContact(contactId, record, accountId);
    else await statements.insertContact(contactId, record, accountId);
    records.push({ record_type: 'contact', record_id: contactId, created: !found });
  }
  const dealId = crypto.randomUUID();
  await statements.insertDeal({ id: dealId, idempotencyKey, name: dealName(record), source: leadSource(record), contactId, accountId }, record);
  records.push({ record_type: 'deal', record_id: dealId, created: true });
  return records;
}
