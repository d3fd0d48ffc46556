import { UnfoldError } from '@unfold/protocol';

/** What went wrong, in words a person reading the page can act on. */
export function errorText(error: unknown): string {
  if (UnfoldError.isInstance(error)) {
    switch (error.code) {
      case 'body_too_large':
      case 'image_too_large':
      case 'email_too_large':
        return `That file is too large for this server. ${error.message}`;
      case 'invalid_image':
        return `That file is not an image the server can read. ${error.message}`;
      case 'invalid_input':
      case 'invalid_email':
      case 'no_text_found':
        return `The server could not use that input. ${error.message}`;
      // The key was revoked while the page was open: a reload asks for another.
      case 'unauthorized':
      case 'key_revoked':
        return `The server no longer accepts this page's API key. Reload the page to enter another. ${error.message}`;
      case 'server_busy':
      case 'internal_error':
        return `The server is not answering right now (${error.message}). Try again in a moment.`;
      default:
        return error.message;
    }
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Is it running?';
  return error instanceof Error ? error.message : String(error);
}
