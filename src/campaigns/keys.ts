// Where campaign data lives outside the ledger: the layout of KV keys and of
// the edge cache. Nothing else spells these out.

/** KV: the published snapshot of a campaign, read by every cold page view. */
export const snapshotKey = (campaignId: string) => `campaign:${campaignId}`;
export const SNAPSHOT_PREFIX = snapshotKey("");

/** KV: the campaign whose gift a PaymentIntent paid, for refunds and disputes that name none. */
export const paymentKey = (paymentId: string) => `payment:${paymentId}`;

/** Edge cache: the public totals response of a campaign (query strings never split it). */
export const publicCacheKey = (origin: string, campaignId: string) => `${origin}/api/campaigns/${campaignId}`;
