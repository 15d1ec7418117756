import type { Messages } from './nl.ts';

/** Belgian Dutch: only the terms that differ from the Netherlands; everything else falls back to nl. */
export const nlBe: Partial<Messages> = {
  'role.team_lead': 'Teamchef',
  'role.chief': 'Diensthoofd',
  'membership.lead': 'Teamchef',
  'field.employeeNumber': 'Stamnummer',
  'unitKind.zone': 'Politiezone',
  'people.intro': 'Zoek personen binnen jouw bereik op naam, stamnummer of e-mailadres.',
  'home.officer.whoSees':
    'Niemand kan zien wat jij hebt geantwoord, of óf je hebt geantwoord. Je teamchef en HR zien alleen resultaten van het hele team, en alleen als genoeg collega’s meededen.',
  'home.chief.what':
    'Je ziet de teams onder je dienst of zone naast elkaar, waar resultaten gepubliceerd zijn, en de feedback op de teamchefs onder je.',
  'home.council.what':
    'Je controleert of de beloftes worden nagekomen: drempels, het auditlog en bewaartermijnen. Antwoorden zie je nooit.',
  'person.rolesHint':
    'Medewerker en teamchef volgen uit de lidmaatschappen. De rollen hieronder worden apart toegekend en gelden voor een eenheid en alles daaronder.',
  'role.works_council': 'Overlegcomité en privacy',
  'whoSees.nobody':
    'Niemand kan zien wat jij hebt geantwoord, of óf je hebt geantwoord: je teamchef niet, HR niet en de beheerder ook niet.',
  'cellKind.leadership': 'Teamchefs',
  'whoSees.keyMismatch':
    'Let op: deze sleutel staat niet in het openbare overzicht van de meting. Verstuur niets en meld dit bij de functionaris voor gegevensbescherming.',
  'programmes.rootHint':
    'Alleen de bovenste eenheid van een organisatie: een korps of politiezone.',
  'programmes.noRoots': 'Er is geen korps of politiezone binnen jouw bereik.',
  'programmes.intro':
    'Een programma is de pulsmeting voor een hele organisatie (korps of politiezone): om de paar weken een meting met vaste ankervragen en een wisselende module.',
  // Results (issue 5): Belgian terms.
  'results.kind.leadership': '{name} – teamchefs',
  'results.leadership.intro':
    'Hoe het team de teamchef ervaart: openheid, bereikbaarheid en aanspreekbaarheid.',
  'results.beside.title': 'Naast de dienst en de politiezone',
  // End of results (issue 5).
  // HR import (issue 6): Belgian terms.
  'import.file.people.hint':
    'Per regel een medewerker: stamnummer, voornaam, achternaam, e-mailadres en taal. Wie in het bestand ontbreekt, wordt uit dienst gezet.',
  'import.reason.duplicate_employee_number': 'Stamnummer komt dubbel voor',
  'import.reason.unknown_person': 'Onbekend stamnummer',
  // End of HR import (issue 6).
};
