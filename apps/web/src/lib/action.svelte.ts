import { errorText } from './i18n';

export interface Feedback {
  kind: 'success' | 'error';
  text: string;
  /** Which part of the page the message belongs to. */
  area: string;
}

/**
 * One place for the busy flag and the success or error message of a page's changes: at most one
 * change runs at a time, and a failure is shown in the user's language, keyed by its code.
 */
export class Actions {
  busy = $state<string | null>(null);
  feedback = $state<Feedback | null>(null);

  /**
   * Runs `work`, then `done` with its result; the text `done` returns (if any) is shown as
   * success. Any failure of either becomes the error message. Resolves to whether it worked.
   */
  async run<T>(
    area: string,
    work: () => Promise<T>,
    done?: (result: T) => string | void | Promise<string | void>,
  ): Promise<boolean> {
    this.busy = area;
    this.feedback = null;
    try {
      const text = await done?.(await work());
      if (text) this.feedback = { kind: 'success', text, area };
      return true;
    } catch (error) {
      this.feedback = { kind: 'error', text: errorText(error), area };
      return false;
    } finally {
      this.busy = null;
    }
  }

  /** The message for `area` (or for any area when none is given). */
  feedbackFor(area?: string): Feedback | null {
    return this.feedback && (area === undefined || this.feedback.area === area)
      ? this.feedback
      : null;
  }
}
