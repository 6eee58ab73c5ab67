/**
 * NUL can be neither stored in PostgreSQL text nor meant by anyone: input carrying one, raw or
 * JSON-escaped, is refused (HTTP bodies: 400; messages: dead-lettered as invalid).
 */
export const hasNul = (text: string): boolean => text.includes('\u0000') || /\\u0000/i.test(text);
