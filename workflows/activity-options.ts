// Activity options shared by every workflow, sized to what each kind of side effect needs.
import type { ActivityOptions } from '@temporalio/workflow';
import { MAIL_RETRY, SideEffectErrorType } from '../domain/delivery';

/**
 * Nothing may be lost: ledger writes retry without limit through database outages, backing off
 * to a minute. Data the database refuses (LEDGER_REJECTED) cannot heal and is not retried. A
 * write takes milliseconds: ten seconds to start-to-close means a killed worker's write is taken
 * over by another within seconds, not minutes.
 */
export const LEDGER: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [SideEffectErrorType.LEDGER_REJECTED] },
};

/**
 * Mail: bounded (see domain/delivery). A refusal is an outcome the activity records and returns;
 * only what may heal throws. The SMTP client's timeouts (4 + 4 + 8 s) end an attempt within the start-to-close.
 */
export const MAIL: ActivityOptions = {
  startToCloseTimeout: '20 seconds',
  retry: {
    initialInterval: `${MAIL_RETRY.initialIntervalMs} milliseconds`,
    backoffCoefficient: MAIL_RETRY.backoffCoefficient,
    maximumInterval: `${MAIL_RETRY.maximumIntervalMs} milliseconds`,
    maximumAttempts: MAIL_RETRY.maximumAttempts,
  },
};

/** Starting a page of workflows (up to 200 RPCs) or drawing a sample: minutes, retried until the server answers. */
export const FAN_OUT: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [SideEffectErrorType.LEDGER_REJECTED] },
};

/**
 * A page's mail (up to 200 notices, a few at a time): the mail budget, with minutes per attempt. A
 * retry sends only what is not yet sent (each notice has its outbox row).
 */
export const MAIL_PAGE: ActivityOptions = { ...MAIL, startToCloseTimeout: '5 minutes' };
