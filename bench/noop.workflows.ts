// The ideal for the launch figure: a workflow that does nothing, started as often as the campaign starts obligations.
export async function benchNoopWorkflow(): Promise<number> {
  return 1;
}
