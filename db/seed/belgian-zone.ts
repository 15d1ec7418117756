import type { NewPerson, NewUnit } from '../src/schema.ts';
import type { OrgBuilder } from './build.ts';

/**
 * Belgian-style local police zone: zone > service (a function) > team, about 190 staff
 * (content.md). The zone name is invented.
 */

interface ServiceSpec {
  code: string;
  name: string;
  teams: { code: string; name: string; size: [number, number] }[];
}

const SERVICES: ServiceSpec[] = [
  {
    code: 'WIJK',
    name: 'Wijkwerking',
    teams: [
      { code: 'NOORD', name: 'Wijkteam Noord', size: [12, 18] },
      { code: 'CENTRUM', name: 'Wijkteam Centrum', size: [12, 18] },
      { code: 'ZUID', name: 'Wijkteam Zuid', size: [12, 18] },
    ],
  },
  {
    code: 'ONTHAAL',
    name: 'Onthaal',
    teams: [
      { code: 'HC', name: 'Onthaal Hoofdcommissariaat', size: [8, 12] },
      { code: 'WP', name: 'Onthaal Wijkposten', size: [8, 12] },
    ],
  },
  {
    code: 'INT',
    name: 'Interventie',
    teams: [
      { code: 'A', name: 'Interventieploeg A', size: [20, 25] },
      { code: 'B', name: 'Interventieploeg B', size: [20, 25] },
      { code: 'C', name: 'Interventieploeg C', size: [20, 25] },
    ],
  },
  {
    // A service with one team below five people: merging cannot stop at the service and has to
    // reach the zone.
    code: 'SLB',
    name: 'Slachtofferbejegening',
    teams: [{ code: 'TEAM', name: 'Slachtofferbejegening', size: [3, 4] }],
  },
  {
    code: 'LR',
    name: 'Lokale recherche',
    teams: [
      { code: 'ALG', name: 'Recherche Algemeen', size: [10, 15] },
      { code: 'JG', name: 'Recherche Jeugd en Gezin', size: [8, 10] },
    ],
  },
  {
    code: 'OO',
    name: 'Openbare orde',
    teams: [{ code: 'TEAM', name: 'Openbare orde en evenementen', size: [8, 14] }],
  },
  {
    code: 'VER',
    name: 'Verkeer',
    teams: [
      { code: 'HH', name: 'Verkeer Handhaving', size: [8, 12] },
      { code: 'OA', name: 'Verkeer Ongevallen en Analyse', size: [8, 10] },
    ],
  },
];

export interface BelgianZone {
  root: NewUnit;
}

export function buildBelgianZone(b: OrgBuilder): BelgianZone {
  const root = b.addUnit({
    parent: null,
    code: 'BE-SCH',
    name: 'Politiezone Scheldeland (demo)',
    kind: 'zone',
  });

  // Zone staff in the zone unit itself: the chief of police, a functional administrator for this
  // zone only, and an HR analyst.
  const staff: [NewPerson, 'lead' | 'member'][] = [];
  const korpschef = b.addPerson();
  b.assignRole(korpschef, 'chief', root);
  staff.push([korpschef, 'lead']);
  const admin = b.addPerson();
  b.assignRole(admin, 'admin', root);
  staff.push([admin, 'member']);
  const hr = b.addPerson();
  b.assignRole(hr, 'hr_analyst', root);
  staff.push([hr, 'member']);
  for (const [person, kind] of staff) b.addMembership(person, root, kind, b.currentJoinDate());

  for (const s of SERVICES) {
    const service = b.addUnit({
      parent: root,
      code: `${root.code}-${s.code}`,
      name: s.name,
      kind: 'service',
    });
    for (const t of s.teams) {
      const unit = b.addUnit({
        parent: service,
        code: `${service.code}-${t.code}`,
        name: t.name,
        kind: 'team',
      });
      b.staffTeam({ unit, size: b.gen.int(t.size[0], t.size[1]) });
    }
  }
  return { root };
}
