export { freshDatabase, type FreshDatabase } from './database';
export { injected } from './injected';
export { startSmtpSink, type SmtpSink } from './smtp-sink';
export { sharedDevServerEnv, timeSkippingEnv } from './temporal';
