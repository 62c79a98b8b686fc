// Workflow IDs are business keys, built here and nowhere else: the API, the worker and
// the reconciler all derive the same ID, which makes starting a workflow idempotent.
export const hazardWorkflowId = (hazardId: string): string => `hazard:${hazardId}`;

export const campaignWorkflowId = (campaignId: string): string => `campaign:${campaignId}`;
export const obligationWorkflowId = (campaignId: string, unitCode: string): string => `obligation:${campaignId}:${unitCode}`;
export const inspectionWorkflowId = (campaignId: string, enterpriseId: string): string => `inspection:${campaignId}:${enterpriseId}`;
export const selfInspectionWorkflowId = (campaignId: string, enterpriseId: string): string => `self-inspection:${campaignId}:${enterpriseId}`;
export const caseWorkflowId = (caseId: string): string => `case:${caseId}`;
export const orderWorkflowId = (orderId: string): string => `order:${orderId}`;
export const circularMailWorkflowId = (campaignId: string, month: string): string => `circular-mail:${campaignId}:${month}`;
export const webhookWorkflowId = (endpointId: string): string => `webhook:${endpointId}`;
export const passwordResetMailWorkflowId = (resetId: string): string => `password-reset:${resetId}`;
