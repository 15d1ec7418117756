import type { NewPerson, NewUnit } from '../src/schema.ts';
import { OrgBuilder, type TeamSpec } from './build.ts';
import type { PersonName } from './generator.ts';

/**
 * Dutch-style corps: corps > regional unit > district > basisteam > pulse team. A basisteam of
 * 80-200 people is too big to be one "team" in a pulse survey, so it is split into the sub-teams
 * under an operational coordinator (content.md, "Organisations to model").
 */

interface BasisteamSpec {
  code: string;
  name: string;
  /** Adds a deliberately small team (3-4 people) to exercise merging below the threshold. */
  small?: boolean;
}
interface DistrictSpec {
  code: string;
  name: string;
  basisteams: BasisteamSpec[];
}
interface RegionalUnitSpec {
  code: string;
  name: string;
  districts: DistrictSpec[];
}

// Real Dutch place names so the demo reads naturally; the split into districts is simplified.
const REGIONAL_UNITS: RegionalUnitSpec[] = [
  {
    code: 'NH',
    name: 'Eenheid Noord-Holland',
    districts: [
      {
        code: 'ZW',
        name: 'District Zaanstreek-Waterland',
        basisteams: [
          { code: 'ZAA', name: 'Basisteam Zaanstad', small: true },
          { code: 'WTL', name: 'Basisteam Waterland' },
        ],
      },
      {
        code: 'KEN',
        name: 'District Kennemerland',
        basisteams: [
          { code: 'HLM', name: 'Basisteam Haarlem' },
          { code: 'VLS', name: 'Basisteam Velsen' },
        ],
      },
      {
        code: 'NHN',
        name: 'District Noord-Holland Noord',
        basisteams: [
          { code: 'ALK', name: 'Basisteam Alkmaar' },
          { code: 'DHD', name: 'Basisteam Den Helder', small: true },
        ],
      },
    ],
  },
  {
    code: 'OB',
    name: 'Eenheid Oost-Brabant',
    districts: [
      {
        code: 'DBO',
        name: "District 's-Hertogenbosch",
        basisteams: [
          { code: 'DBS', name: "Basisteam 's-Hertogenbosch Stad" },
          { code: 'MSL', name: 'Basisteam Maasland' },
        ],
      },
      {
        code: 'EHV',
        name: 'District Eindhoven',
        basisteams: [
          { code: 'EHC', name: 'Basisteam Eindhoven Centrum', small: true },
          { code: 'DMS', name: 'Basisteam Dommelstroom' },
        ],
      },
    ],
  },
];

/** The district of demo-chief and the team of demo-lead and demo-officer (every basisteam has Noodhulp A and B). */
const DEMO_DISTRICT = 'NL-NH-ZW';
const DEMO_TEAM = 'NL-NH-ZW-ZAA-NHB';
/** demo-council is an ordinary officer elsewhere, as works council members are. */
const COUNCIL_TEAM = 'NL-OB-EHV-DMS-OPS';

// Fixed names for the demo people: recognisable in screenshots and stable across versions.
const DEMO_NAMES = {
  admin: { givenName: 'Sanne', familyName: 'de Wit' },
  hr: { givenName: 'Yusuf', familyName: 'Demir' },
  chief: { givenName: 'Marieke', familyName: 'Hoekstra' },
  lead: { givenName: 'Thomas', familyName: 'van Dijk' },
  officer: { givenName: 'Lotte', familyName: 'Bakker' },
  council: { givenName: 'Rachid', familyName: 'El Amrani' },
} satisfies Record<string, PersonName>;

export interface DutchCorps {
  root: NewUnit;
  demo: Record<keyof typeof DEMO_NAMES, NewPerson>;
}

interface TeamTemplate {
  code: string;
  name: string;
  size: [number, number];
}

/** 4-7 teams: two or three emergency response shifts, one or two neighbourhood teams, investigation, maybe intake. */
function teamTemplates(b: OrgBuilder, small: boolean): TeamTemplate[] {
  const noodhulp: TeamTemplate[] = ['A', 'B', 'C'].map((shift) => ({
    code: `NH${shift}`,
    name: `Noodhulp ${shift}`,
    size: [20, 30],
  }));
  const shifts = b.gen.chance(0.75) ? noodhulp : noodhulp.slice(0, 2);
  const wijk: TeamTemplate[] = b.gen.chance(0.3)
    ? [
        { code: 'WIJKN', name: 'Wijkteam Noord', size: [8, 15] },
        { code: 'WIJKZ', name: 'Wijkteam Zuid', size: [8, 15] },
      ]
    : [{ code: 'WIJK', name: 'Wijkteam', size: [12, 22] }];
  const teams: TeamTemplate[] = [
    ...shifts,
    ...wijk,
    { code: 'OPS', name: 'Opsporing', size: [8, 16] },
  ];
  if (b.gen.chance(0.6)) teams.push({ code: 'INT', name: 'Intake en service', size: [8, 12] });
  if (small) {
    if (teams.length === 7) teams.pop(); // keep 4-7 teams per basisteam
    teams.push({ code: 'RECO', name: 'Recherche-ondersteuning', size: [3, 4] });
  }
  return teams;
}

export function buildDutchCorps(b: OrgBuilder): DutchCorps {
  const root = b.addUnit({
    parent: null,
    code: 'NL',
    name: 'Politie Nederland (demo)',
    kind: 'corps',
  });

  // Demo people first, so their e-mail addresses are the plain ones.
  const demo = {
    admin: b.addPerson(DEMO_NAMES.admin),
    hr: b.addPerson(DEMO_NAMES.hr),
    chief: b.addPerson(DEMO_NAMES.chief),
    lead: b.addPerson(DEMO_NAMES.lead),
    officer: b.addPerson(DEMO_NAMES.officer),
    council: b.addPerson(DEMO_NAMES.council),
  };
  // Corps staff sit in the root unit itself, not in a pulse team.
  b.addMembership(demo.admin, root, 'member', '2019-09-01');
  b.addMembership(demo.hr, root, 'member', '2021-02-01');
  b.assignRole(demo.admin, 'admin', root);
  b.assignRole(demo.hr, 'hr_analyst', root);
  b.assignRole(demo.council, 'works_council', root);

  for (const ru of REGIONAL_UNITS) {
    const ruUnit = b.addUnit({
      parent: root,
      code: `NL-${ru.code}`,
      name: ru.name,
      kind: 'regional_unit',
    });
    for (const d of ru.districts) {
      const dCode = `${ruUnit.code}-${d.code}`;
      const district = b.addUnit({ parent: ruUnit, code: dCode, name: d.name, kind: 'district' });
      // Every district has a chief: a lead membership in the district unit plus the chief role.
      const chief = dCode === DEMO_DISTRICT ? demo.chief : b.addPerson();
      b.addMembership(
        chief,
        district,
        'lead',
        dCode === DEMO_DISTRICT ? '2020-03-01' : b.currentJoinDate(),
      );
      b.assignRole(chief, 'chief', district);

      for (const bt of d.basisteams) {
        const btCode = `${dCode}-${bt.code}`;
        const basisteam = b.addUnit({
          parent: district,
          code: btCode,
          name: bt.name,
          kind: 'basisteam',
        });
        for (const t of teamTemplates(b, bt.small ?? false)) {
          const code = `${btCode}-${t.code}`;
          const unit = b.addUnit({ parent: basisteam, code, name: t.name, kind: 'team' });
          const spec: TeamSpec = { unit, size: b.gen.int(t.size[0], t.size[1]) };
          if (code === DEMO_TEAM) {
            spec.lead = { person: demo.lead, joinedOn: '2022-04-01' };
            spec.members = [{ person: demo.officer, joinedOn: '2022-09-01' }];
          }
          if (code === COUNCIL_TEAM)
            spec.members = [{ person: demo.council, joinedOn: '2018-01-15' }];
          b.staffTeam(spec);
        }
      }
    }
  }
  // A renamed code must not silently leave a demo person without a team.
  for (const code of [DEMO_TEAM, COUNCIL_TEAM]) {
    if (!b.teams.some((t) => t.code === code)) throw new Error(`demo team ${code} was not built`);
  }
  return { root, demo };
}
