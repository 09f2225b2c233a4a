import { z } from 'zod';

// Settings pieces every vendor adapter's schema shares (architecture, "How to add a channel or desk" §4).
// Each .describe() is what `parley config` prints, so the vendor's name goes into the text.

/** What a webhook answers within and what the outbox waits for: both below PARLEY_DELIVERY_TIMEOUT_MS (§8). */
const TOTAL_TIMEOUT_DOC = 'longest one call with its retries may take, ms (below PARLEY_DELIVERY_TIMEOUT_MS, checked at start)';

/** `attemptTimeoutMs` (one request, default 5 s) and `totalTimeoutMs` (one call with its retries, default 12 s). */
export const vendorTimeouts = (vendor: string, totalDoc: string = TOTAL_TIMEOUT_DOC) => ({
  attemptTimeoutMs: z.number().int().positive().max(60_000).default(5_000).describe(`longest one request to ${vendor} may take, ms`),
  totalTimeoutMs: z.number().int().positive().max(120_000).default(12_000).describe(totalDoc),
});

/** A standard SNS topic ARN (what two-way SMS and Connect's chat streaming publish to). */
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
