export * from './enums';
export * from './reference';
export * from './hazards';
export * from './notifications';
export * from './campaigns';
export * from './audit';
export * from './idempotency';
export * from './contents';
