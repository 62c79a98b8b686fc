// The campaign the pages show: the newest running one by default, or the one picked in the header.
import { useEffect } from 'preact/hooks';
import { get } from './api';
import { store, useStore } from './store';
import { DEFAULT_ZONE } from './time';
import type { CampaignItem, Page } from './types';

export const campaigns = store<CampaignItem[] | undefined>(undefined);
export const selectedId = store<string | null>(localStorage.getItem('hc.campaign'));
selectedId.subscribe((id) => (id ? localStorage.setItem('hc.campaign', id) : localStorage.removeItem('hc.campaign')));

export async function loadCampaigns(): Promise<void> {
  try {
    const page = await get<Page<CampaignItem>>('/v1/campaigns?limit=100');
    campaigns.set(page.items);
  } catch {
    // Roles that read no campaigns (an enterprise outside any, a reviewer without one) get none.
    campaigns.set([]);
  }
}

export function useCampaign(): { list: CampaignItem[] | undefined; campaign: CampaignItem | undefined; zone: string } {
  const list = useStore(campaigns);
  const id = useStore(selectedId);
  useEffect(() => {
    if (list === undefined) void loadCampaigns();
  }, [list]);
  const campaign = list?.find((c) => c.id === id) ?? list?.find((c) => c.status === 'RUNNING') ?? list?.[0];
  return { list, campaign, zone: campaign?.timeZone ?? DEFAULT_ZONE };
}
