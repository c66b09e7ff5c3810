// A/B tests of the ask: the worker picks a variant for each totals request and
// names it in the Donation-Variant header; the snapshot carries every variant's
// definition. The widget shows the campaign as that variant asks (its title,
// preset amounts and default interval) and sends the variant with a checkout.
// Nothing is stored on the reader's device.
import type { CampaignSnapshot } from "./api";
import { withoutPrototype } from "./own";

/** The campaign as a view shows it: `variant` names the A/B variant, when one was picked. */
export type Campaign = CampaignSnapshot & { variant?: string };

/** The campaign with variant `id`'s ask laid over it; the campaign itself when the test has no such variant. */
export const withVariant = (campaign: CampaignSnapshot, id: string | null): Campaign => {
	for (const { id: variant, ...ask } of campaign.test?.variants || []) {
		if (variant === id) return withoutPrototype({ ...campaign, ...ask, variant });
	}
	return campaign;
};
