/**
 * Simulated answers for the demo history and the reference-scale benchmark, as content.md
 * ("Organisations to model") describes them: a team effect giving an intra-class correlation
 * of 0.15-0.35, participation around 70 % with some teams under 60 %, 2-8 % "don't know" on
 * leadership items, incidents concentrated in a few teams, and a few comments, some of which
 * name a colleague or give a phone number (for the scrubber to catch).
 */
import type { Answer, TallyItem } from '@teamspiegel/core';
import type { SeededRandom } from './random.ts';

/** How one team answers in one wave. */
export interface TeamProfile {
  /** Team effect on the latent score, in units of the latent score's total standard deviation. */
  effect: number;
  /** Intra-class correlation of the latent item score: the team effect's share of its variance. */
  icc: number;
  /** Chance that a member answers at all. */
  participation: number;
  /** Chance of "don't know" on an item about the team lead (other items that offer it: 1 %). */
  dontKnow: number;
  /** Multiplies the base incident rates (1 in most teams, 3-4 in a few). */
  incidentFactor: number;
  /** Chance that a respondent leaves a comment. */
  commentRate: number;
}

/** Latent mean of an average team: about 65 % favourable on a five-point item. */
const BASE = 0.45;

/** Incidents in the past three months (about a third of the 12-month police monitor rates). */
const INCIDENT_RATES: Record<string, number> = {
  'soc.exp_any': 0.12,
  'soc.exp_bullying': 0.04,
  'soc.exp_intimidation': 0.04,
  'soc.exp_discrimination': 0.02,
  'soc.exp_sexual': 0.015,
  'soc.witnessed': 0.12,
};

/** A team's effect drawn for its intra-class correlation: normal with variance icc. */
export function drawTeamEffect(rng: SeededRandom, icc: number): number {
  return rng.normal() * Math.sqrt(icc);
}

/** Standard normal distribution function (Abramowitz-Stegun 26.2.17, |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p =
    d *
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? 1 - p : p;
}

/**
 * One respondent's answers. Each scored item reads a latent value: the team's effect, the
 * person's own level (shared by their items) and item noise, with the team effect holding `icc`
 * of the variance; the value is the latent's quantile cut into the scale's options (reversed
 * for reverse-keyed items). About 1 % of items are skipped.
 */
export function simulateAnswers(
  rng: SeededRandom,
  items: readonly TallyItem[],
  team: TeamProfile,
): Answer[] {
  const within = 1 - team.icc;
  const person = rng.normal() * Math.sqrt(within * 0.65);
  const itemSd = Math.sqrt(within * 0.35);
  const answers: Answer[] = [];
  for (const item of items) {
    if (rng.chance(0.01)) continue;
    const dontKnow = item.theme === 'inclusive_leadership' ? team.dontKnow : 0.01;
    if (item.dontKnow && rng.chance(dontKnow)) {
      answers.push({ itemId: item.id, value: null });
      continue;
    }
    const span = item.max - item.min;
    const incidentRate = INCIDENT_RATES[item.id];
    if (!item.scored && incidentRate !== undefined) {
      // Frequency items: the lowest option is "never".
      const rate = Math.min(0.9, incidentRate * team.incidentFactor);
      const value = rng.chance(rate) ? item.min + rng.int(1, Math.min(2, span)) : item.min;
      answers.push({ itemId: item.id, value });
      continue;
    }
    const latent = BASE + team.effect + person + itemSd * rng.normal();
    const share = normalCdf(item.reverseKeyed ? -latent : latent);
    const value = item.min + Math.min(span, Math.floor(share * (span + 1)));
    answers.push({ itemId: item.id, value });
  }
  return answers;
}

export interface CommentName {
  givenName: string;
  familyName: string;
}

const PLAIN_COMMENTS = [
  'De samenwerking in de ploeg is goed, we vangen elkaar op na zware meldingen.',
  'Te weinig bezetting in de nachtdienst; dat gaat ten koste van de briefing.',
  'Ik durf in de briefing niet altijd te zeggen wat ik denk.',
  'Fijn dat we na de vorige meting echt iets met de uitkomsten hebben gedaan.',
  'Grappen over afkomst worden nog te vaak weggelachen.',
  'Nieuwe collega’s worden goed ingewerkt, dat mag gezegd worden.',
  'Ik weet niet bij wie ik terechtkan als het misgaat met een collega.',
  'Overleg over hoe we controles uitvoeren zou helpen.',
];

/**
 * A comment: mostly ordinary remarks; about a third name a colleague from the roster or give a
 * phone number, which the close's scrubber must replace.
 */
export function simulateComment(rng: SeededRandom, names: readonly CommentName[]): string {
  if (names.length && rng.chance(0.35)) {
    const who = rng.pick(names);
    const phone = `06-${rng.int(10_000_000, 99_999_999)}`;
    switch (rng.int(0, 2)) {
      case 0:
        return `${who.givenName} ${who.familyName} maakt steeds opmerkingen over mijn achtergrond.`;
      case 1:
        return `Ik heb het met ${who.givenName} over de sfeer gehad; bel me gerust op ${phone}.`;
      default:
        return `Complimenten voor ${who.familyName}, die na de aanhouding vorige week iedereen opving.`;
    }
  }
  return rng.pick(PLAIN_COMMENTS);
}
