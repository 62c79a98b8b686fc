// Where a person reads an object: the console's page of it (web/), not the JSON API, which
// answers 401 to a browser without a key. Mails link here; the API serves index.html on these paths.
export type ConsoleObject = 'hazards' | 'cases' | 'orders';

/** `${publicUrl}/hazards/<id>`, `/cases/<id>`, `/orders/<id>`. */
export function consoleLink(publicUrl: string, kind: ConsoleObject, id: string): string {
  return `${publicUrl.replace(/\/$/, '')}/${kind}/${encodeURIComponent(id)}`;
}
