// Activity options shared by every workflow.
/** Nothing may be lost: activities retry without limit through outages of the database or the mail server, backing off. */
export const RETRY_FOREVER = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' } as const;
