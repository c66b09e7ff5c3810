// The one rule for campaign ids. They appear in URLs, KV keys, Stripe metadata
// and CSV exports, so they stay boring: 1-64 lowercase letters, digits, - or _.
export const CAMPAIGN_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export const isCampaignId = (value: unknown): value is string => typeof value === "string" && CAMPAIGN_ID.test(value);
