import { UnfoldError } from '@unfold/protocol';
import { z } from 'zod';

/** Limits on an email, checked before a run is created. */
export const MAX_EMAIL_BYTES = 25 * 1024 * 1024;
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

const attachmentSchema = z.strictObject({
  filename: z.string().max(500),
  content_base64: z.string(),
  content_type: z.string().max(200).default('application/octet-stream'),
});

/** An attachment over the limit is its own refusal (`email_too_large`), not a malformed input. */
function checkAttachmentSizes(attachments: readonly z.output<typeof attachmentSchema>[]): void {
  for (const attachment of attachments) {
    const bytes = Math.floor((attachment.content_base64.length * 3) / 4);
    if (bytes > MAX_ATTACHMENT_BYTES) throw new UnfoldError('email_too_large', `attachment ${attachment.filename} is ${bytes} bytes; the limit is ${MAX_ATTACHMENT_BYTES}`);
  }
}

/** The original API's JSON email, or a raw RFC 5322 message (an `.eml` file's text), checked up front: shape, size and attachment sizes. */
export const emailInputSchema = z
  .union(
    [
      z.strictObject({ raw: z.string().min(1).max(MAX_EMAIL_BYTES) }),
      z.strictObject({
        sender_name: z.string().max(500).default(''),
        sender_email: z.string().max(500).default(''),
        subject: z.string().max(2_000).default(''),
        body: z.string().max(MAX_EMAIL_BYTES),
        attachments: z.array(attachmentSchema).max(50).default([]),
      }),
    ],
    { error: 'Invalid input: an email is {"raw": "<RFC 5322 message>"} or {"sender_name", "sender_email", "subject", "body", "attachments"}' },
  )
  .transform((email) => {
    if ('attachments' in email) checkAttachmentSizes(email.attachments);
    return email;
  });

export type EmailInput = z.output<typeof emailInputSchema>;
