// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
      /** An API error code (or 'forbidden' / 'not_found' for guarded pages), translated on the error page. */
      code?: string;
    }
  }
}

export {};
