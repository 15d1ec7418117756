import type { Language, MeResponse, Permission } from '@teamspiegel/contracts';
import { locale } from './i18n/locale.svelte.ts';

let me = $state<MeResponse | null>(null);
let loaded = $state(false);

/** The logged-in person as the API last described them; the API stays the security boundary. */
export const session = {
  get me(): MeResponse | null {
    return me;
  },
  get loaded(): boolean {
    return loaded;
  },
  set(value: MeResponse): void {
    me = value;
    loaded = true;
    locale.set(value.person.language);
  },
  clear(): void {
    me = null;
    loaded = true;
  },
  can(permission: Permission): boolean {
    return me?.permissions.includes(permission) ?? false;
  },
};

export function preferredLanguage(value: MeResponse | null): Language {
  return value?.person.language ?? locale.current;
}
