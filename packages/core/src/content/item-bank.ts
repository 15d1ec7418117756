/**
 * Teamspiegel's own item bank: wording written for this product, Dutch first, so it can be
 * shipped without anyone's permission (docs/content.md explains why we do not ship the
 * published scales). Short statements an officer can read on a phone in a few seconds.
 *
 * Conventions:
 * - `reverseKeyed` means a high raw answer is unfavourable (negatively worded statements, and
 *   every incident frequency item); scoring recodes (min + max) - x before anything else.
 * - 'nl-BE' exists only where Flemish usage differs ("staande houden" / "controleren",
 *   "de politie" / "de politiezone"); otherwise Belgian respondents read the nl text.
 * - `{lead}` is filled with the organisation's term ("mijn teamchef", "my team lead").
 * - Incident items ask about the past three months: a module returns once a quarter.
 */
import type { ContentPack, Item, Theme } from '@teamspiegel/contracts';

type Texts = Item['texts'];

const agree = (
  id: string,
  theme: Theme,
  texts: Texts,
  options: Partial<Pick<Item, 'reverseKeyed' | 'dontKnow' | 'reportingLevel'>> = {},
): Item => ({
  id,
  theme,
  texts,
  scale: 'agree5',
  reverseKeyed: options.reverseKeyed ?? false,
  dontKnow: options.dontKnow ?? false,
  reportingLevel: options.reportingLevel ?? 'team',
  leaderReferent: false,
});

/** About the team lead: offers "don't know", since some officers rarely see their lead. */
const lead = (id: string, texts: Texts, reverseKeyed = false): Item => ({
  id,
  theme: 'inclusive_leadership',
  texts,
  scale: 'agree5',
  reverseKeyed,
  dontKnow: true,
  reportingLevel: 'team',
  leaderReferent: true,
});

/** Experienced or witnessed undesirable behaviour: K_sens, unit level and up only. */
const incident = (id: string, texts: Texts): Item => ({
  id,
  theme: 'social_safety',
  texts,
  scale: 'frequency5',
  reverseKeyed: true,
  dontKnow: true,
  reportingLevel: 'incident',
  leaderReferent: false,
});

export const ITEM_BANK: readonly Item[] = [
  // Psychological safety of the team.
  agree('ps.raise_problems', 'psychological_safety', {
    nl: 'In mijn team kan ik problemen benoemen zonder dat het mij kwalijk wordt genomen.',
    en: 'In my team, I can raise problems without paying a price for it.',
  }),
  agree('ps.mistake_said', 'psychological_safety', {
    nl: 'Als ik een fout maak, kan ik dat gewoon zeggen in mijn team.',
    en: 'If I make a mistake, I can simply say so in my team.',
  }),
  agree('ps.ask_help', 'psychological_safety', {
    nl: "Ik vraag collega's makkelijk om hulp als ik iets niet weet.",
    en: "I find it easy to ask colleagues for help when I don't know something.",
  }),
  agree('ps.disagree_on_job', 'psychological_safety', {
    nl: "Ik durf het oneens te zijn met collega's, ook tijdens een inzet.",
    en: 'I dare to disagree with colleagues, even during a call-out.',
  }),
  agree('ps.new_ideas', 'psychological_safety', {
    nl: 'Nieuwe ideeën krijgen in mijn team een eerlijke kans.',
    en: 'New ideas get a fair chance in my team.',
  }),
  agree(
    'ps.laughed_at',
    'psychological_safety',
    {
      nl: 'In mijn team word je snel uitgelachen als je iets vraagt.',
      en: 'In my team, you quickly get laughed at for asking something.',
    },
    { reverseKeyed: true },
  ),
  agree('ps.honest_feedback', 'psychological_safety', {
    nl: 'We zeggen elkaar eerlijk en met respect wat beter kan.',
    en: 'We tell each other honestly and respectfully what could be better.',
  }),
  agree('ps.debrief', 'psychological_safety', {
    nl: 'Na een lastige inzet bespreken we wat we leren, zonder schuldige te zoeken.',
    en: 'After a difficult call-out, we discuss what we learned, without looking for someone to blame.',
  }),

  // Inclusion: belonging and room to be yourself.
  agree('inc.at_home', 'inclusion', {
    nl: 'Ik voel me thuis in mijn team.',
    en: 'I feel at home in my team.',
  }),
  agree('inc.no_pretending', 'inclusion', {
    nl: 'Op het werk hoef ik me niet anders voor te doen om erbij te horen.',
    en: "At work, I don't have to pretend to be someone else to fit in.",
  }),
  agree('inc.opinion_counts', 'inclusion', {
    nl: 'Mijn mening telt mee in mijn team.',
    en: 'My opinion counts in my team.',
  }),
  agree('inc.taken_seriously', 'inclusion', {
    nl: 'In mijn team wordt iedereen even serieus genomen.',
    en: 'In my team, everyone is taken equally seriously.',
  }),
  agree(
    'inc.hurtful_jokes',
    'inclusion',
    {
      nl: "In mijn team worden grappen gemaakt die collega's kwetsen.",
      en: 'In my team, people make jokes that hurt colleagues.',
    },
    { reverseKeyed: true },
  ),
  agree(
    'inc.outsider',
    'inclusion',
    {
      nl: 'Ik voel me soms een buitenstaander in mijn team.',
      en: 'I sometimes feel like an outsider in my team.',
    },
    { reverseKeyed: true },
  ),
  agree('inc.differences', 'inclusion', {
    nl: "Verschillen tussen collega's zien we als een kracht.",
    en: 'We see differences between colleagues as a strength.',
  }),
  agree('inc.in_the_loop', 'inclusion', {
    nl: "Ik krijg dezelfde informatie als mijn collega's.",
    en: 'I get the same information as my colleagues.',
  }),

  // Inclusive leadership of the team lead: openness, availability, accessibility.
  lead('lead.approachable', {
    nl: 'Ik kan bij {lead} terecht als er iets speelt.',
    en: 'I can go to {lead} when something is going on.',
  }),
  lead('lead.listens', {
    nl: '{lead} luistert echt als ik met een voorstel kom.',
    en: '{lead} really listens when I come with a suggestion.',
  }),
  lead('lead.makes_time', {
    nl: '{lead} maakt tijd voor mij als ik dat nodig heb.',
    en: '{lead} makes time for me when I need it.',
  }),
  lead('lead.fair', {
    nl: '{lead} behandelt iedereen in het team eerlijk.',
    en: '{lead} treats everyone in the team fairly.',
  }),
  lead('lead.steps_in', {
    nl: '{lead} grijpt in bij ongepaste opmerkingen.',
    en: '{lead} steps in when someone makes an inappropriate remark.',
  }),
  lead('lead.asks_input', {
    nl: '{lead} laat ons meedenken over hoe we werken.',
    en: '{lead} involves us in deciding how we work.',
  }),
  lead('lead.own_mistakes', {
    nl: '{lead} durft eigen fouten toe te geven.',
    en: '{lead} is willing to admit their own mistakes.',
  }),
  lead(
    'lead.hard_to_reach',
    {
      nl: 'Het is lastig om {lead} te spreken te krijgen.',
      en: 'It is hard to get hold of {lead}.',
    },
    true,
  ),
  lead('lead.keeps_word', {
    nl: '{lead} doet wat met het team is afgesproken.',
    en: '{lead} does what was agreed with the team.',
  }),

  // Social safety: experienced and witnessed undesirable behaviour (incident items) ...
  incident('soc.exp_any', {
    nl: "Hoe vaak maakte je de afgelopen drie maanden ongewenst gedrag van collega's of leidinggevenden mee?",
    en: 'In the past three months, how often did colleagues or leaders behave unacceptably towards you?',
  }),
  incident('soc.exp_bullying', {
    nl: 'Hoe vaak werd je de afgelopen drie maanden binnen de politie gepest?',
    'nl-BE': 'Hoe vaak werd je de afgelopen drie maanden binnen de politiezone gepest?',
    en: 'In the past three months, how often were you bullied within the police?',
  }),
  incident('soc.exp_intimidation', {
    nl: 'Hoe vaak werd je de afgelopen drie maanden binnen de politie geïntimideerd?',
    'nl-BE': 'Hoe vaak werd je de afgelopen drie maanden binnen de politiezone geïntimideerd?',
    en: 'In the past three months, how often were you intimidated within the police?',
  }),
  incident('soc.exp_discrimination', {
    nl: 'Hoe vaak werd je de afgelopen drie maanden binnen de politie gediscrimineerd?',
    'nl-BE': 'Hoe vaak werd je de afgelopen drie maanden binnen de politiezone gediscrimineerd?',
    en: 'In the past three months, how often were you discriminated against within the police?',
  }),
  incident('soc.exp_sexual', {
    nl: 'Hoe vaak kreeg je de afgelopen drie maanden ongewenste seksuele aandacht van een collega?',
    en: 'In the past three months, how often did a colleague give you unwanted sexual attention?',
  }),
  incident('soc.witnessed', {
    nl: 'Hoe vaak zag je de afgelopen drie maanden ongewenst gedrag tegen een collega?',
    en: 'In the past three months, how often did you see a colleague being treated unacceptably?',
  }),
  // ... reporting, knowing where to go, trust in follow-up, daring to speak up (unit level).
  agree(
    'soc.know_where',
    'social_safety',
    {
      nl: 'Ik weet waar ik terechtkan om ongewenst gedrag te melden.',
      en: 'I know where to go to report unacceptable behaviour.',
    },
    { reportingLevel: 'unit' },
  ),
  agree(
    'soc.followed_up',
    'social_safety',
    {
      nl: 'Als ik ongewenst gedrag meld, wordt daar serieus iets mee gedaan.',
      en: 'If I report unacceptable behaviour, it is taken seriously and acted on.',
    },
    { reportingLevel: 'unit', dontKnow: true },
  ),
  agree(
    'soc.dare_address',
    'social_safety',
    {
      nl: 'Ik durf een collega aan te spreken op ongepast gedrag.',
      en: 'I dare to speak to a colleague about inappropriate behaviour.',
    },
    { reportingLevel: 'unit' },
  ),
  agree(
    'soc.reporter_suffers',
    'social_safety',
    {
      nl: 'Wie hier ongewenst gedrag meldt, krijgt daar zelf last van.',
      en: 'Here, people who report unacceptable behaviour get into trouble themselves.',
    },
    { reportingLevel: 'unit', reverseKeyed: true, dontKnow: true },
  ),

  // Professional, bias-free checks discussed in the team.
  agree('chk.grounds', 'professional_checks', {
    nl: 'In mijn team bespreken we op grond waarvan we iemand staande houden.',
    'nl-BE': 'In mijn team bespreken we op grond waarvan we iemand controleren.',
    en: 'In my team, we discuss on what grounds we stop someone.',
  }),
  agree('chk.ask_colleague', 'professional_checks', {
    nl: 'Ik kan een collega gerust vragen naar de reden van een staandehouding.',
    'nl-BE': 'Ik kan een collega gerust vragen naar de reden van een controle.',
    en: 'I can comfortably ask a colleague why they stopped someone.',
  }),
  agree('chk.bias_talk', 'professional_checks', {
    nl: 'We praten in het team over vooroordelen in ons eigen werk.',
    en: 'In my team, we talk about bias in our own work.',
  }),
  {
    id: 'chk.reviewed',
    theme: 'professional_checks',
    texts: {
      nl: "Hoe vaak bespreek je met collega's of een controle professioneel verliep?",
      en: 'How often do you discuss with colleagues whether a check was done professionally?',
    },
    scale: 'frequency5',
    reverseKeyed: false,
    dontKnow: false,
    reportingLevel: 'team',
    leaderReferent: false,
  },

  // Knowing allies and networks (HR audience, so unit level).
  agree(
    'net.networks',
    'allies_networks',
    {
      nl: 'Ik ken de netwerken binnen de politie waar ik steun kan vinden.',
      'nl-BE': 'Ik ken de netwerken binnen de politiezone waar ik steun kan vinden.',
      en: 'I know the networks within the police where I can find support.',
    },
    { reportingLevel: 'unit' },
  ),
  agree(
    'net.allies',
    'allies_networks',
    {
      nl: "Ik ken collega's die mij steunen als ik word buitengesloten of gediscrimineerd.",
      en: 'I know colleagues who would back me up if I were excluded or discriminated against.',
    },
    { reportingLevel: 'unit' },
  ),
  agree(
    'net.be_ally',
    'allies_networks',
    {
      nl: 'Ik weet hoe ik een collega kan steunen die wordt buitengesloten.',
      en: 'I know how to support a colleague who is being left out.',
    },
    { reportingLevel: 'unit' },
  ),

  // Recommending the police as an employer: unit level and up (n >= 30 for the score).
  {
    id: 'rec.employer',
    theme: 'recommendation',
    texts: {
      nl: 'Hoe waarschijnlijk is het dat je een bekende aanraadt om bij de politie te werken?',
      'nl-BE':
        'Hoe waarschijnlijk is het dat je een bekende aanraadt om bij onze politiezone te werken?',
      en: 'How likely are you to recommend working for the police to someone you know?',
    },
    scale: 'zero_to_ten',
    reverseKeyed: false,
    dontKnow: false,
    reportingLevel: 'unit',
    leaderReferent: false,
  },
];

/** The built-in bank as a content pack, so it passes the same validation as an import. */
export const TEAMSPIEGEL_PACK: ContentPack = {
  id: 'teamspiegel',
  title: 'Teamspiegel item bank',
  source: 'Teamspiegel (own wording)',
  licence: { status: 'owned', holder: 'Teamspiegel' },
  translationStatus: 'original',
  items: [...ITEM_BANK],
};

/**
 * Asked in every wave for the monthly trend line: one each for psychological safety,
 * inclusion and inclusive leadership, all reportable at team level.
 */
export const ANCHOR_ITEM_IDS = ['ps.raise_problems', 'inc.at_home', 'lead.approachable'] as const;

export interface ProgrammeModule {
  id: string;
  title: { nl: string; en: string };
  itemIds: readonly string[];
}

/**
 * The 12-week rotation: wave 1, 2 and 3 of a quarter each add one module to the anchors,
 * so every theme is asked once a quarter and a wave holds 8 rating items.
 */
export const MODULES: readonly ProgrammeModule[] = [
  {
    id: 'team-climate',
    title: { nl: 'Samenwerken in het team', en: 'Working together in the team' },
    itemIds: [
      'ps.mistake_said',
      'ps.laughed_at',
      'inc.no_pretending',
      'inc.outsider',
      'chk.grounds',
    ],
  },
  {
    id: 'leadership-networks',
    title: { nl: 'Leiding, vakmanschap en netwerken', en: 'Leadership, craft and networks' },
    itemIds: ['lead.listens', 'lead.steps_in', 'chk.ask_colleague', 'net.networks', 'net.allies'],
  },
  {
    id: 'social-safety',
    title: { nl: 'Sociale veiligheid', en: 'Social safety' },
    itemIds: ['soc.exp_any', 'soc.witnessed', 'soc.know_where', 'soc.followed_up', 'rec.employer'],
  },
];
