// The workflow bundle's entry: every workflow type the worker registers.
export { hazardRectificationWorkflow } from './hazard.workflow';
export { campaignWorkflow } from './campaign.workflow';
export { obligationWorkflow } from './obligation.workflow';
export { caseWorkflow } from './case.workflow';
export { orderWorkflow } from './order.workflow';
export { circularMailWorkflow } from './circular.workflow';
export { webhookDeliveryWorkflow } from './webhook.workflow';
export { passwordResetMailWorkflow } from './account.workflow';
