/** The original system's label set, exactly. */
export const RECEIPT_LABELS = [
  'MERCHANT_NAME',
  'STORE_HOURS',
  'PHONE_NUMBER',
  'WEBSITE',
  'LOYALTY_ID',
  'ADDRESS_LINE',
  'DATE',
  'TIME',
  'PAYMENT_METHOD',
  'COUPON',
  'DISCOUNT',
  'PRODUCT_NAME',
  'QUANTITY',
  'UNIT_PRICE',
  'LINE_TOTAL',
  'SUBTOTAL',
  'TAX',
  'GRAND_TOTAL',
] as const;
export type ReceiptLabel = (typeof RECEIPT_LABELS)[number];

export interface LabeledField {
  field_name: ReceiptLabel;
  value: string;
  word_ids: number[];
  confidence: number;
  reasoning: string;
  /** ISO date, decimal amount, … when the value has a normal form. */
  normalized?: string | number;
  row: number;
}
