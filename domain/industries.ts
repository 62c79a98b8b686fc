// Industries in the campaign's scope (深化整治范围) and the departments running it in their own fields.
export const INDUSTRIES = {
  COAL_MINE: { zh: '煤矿', en: 'Coal mines' },
  NON_COAL_MINE: { zh: '非煤矿山', en: 'Non-coal mines' },
  HAZARDOUS_CHEMICALS: { zh: '危险化学品', en: 'Hazardous chemicals' },
  CONSTRUCTION: { zh: '建筑施工', en: 'Construction' },
  ROAD_TRANSPORT: { zh: '交通运输（道路交通）', en: 'Road transport' },
  CIVIL_EXPLOSIVES: { zh: '民爆物品', en: 'Civil explosives' },
  CULTURE_TOURISM: { zh: '文化旅游', en: 'Culture and tourism' },
  FIRE_SAFETY: { zh: '消防安全', en: 'Fire safety' },
  METALLURGY_TRADE: { zh: '冶金工贸', en: 'Metallurgy, industry and trade' },
  EDUCATION: { zh: '教育', en: 'Education' },
  CIVIL_AFFAIRS: { zh: '民政', en: 'Civil affairs' },
  AGRICULTURE: { zh: '农业农村', en: 'Agriculture' },
  COMMERCE: { zh: '商务', en: 'Commerce' },
  HEALTH: { zh: '卫健', en: 'Health' },
  SPORT: { zh: '体育', en: 'Sport' },
  GRAIN_RESERVES: { zh: '发改（粮储）', en: 'Development and reform (grain reserves)' },
} as const;

export type Industry = keyof typeof INDUSTRIES;
export const INDUSTRY_CODES = Object.keys(INDUSTRIES) as Industry[];
