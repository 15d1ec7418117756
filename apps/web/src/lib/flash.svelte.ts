let message = $state<string | null>(null);

/** A one-time confirmation carried across a client-side navigation (e.g. "person added"). */
export const flash = {
  set(text: string): void {
    message = text;
  },
  take(): string | null {
    const text = message;
    message = null;
    return text;
  },
};
