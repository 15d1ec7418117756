import type { ErrorCode } from '@teamspiegel/contracts';

/** Codes the web app itself produces when there is no API answer to translate. */
export type ClientErrorCode = 'network_error' | 'unknown_error';
export type AnyErrorCode = ErrorCode | ClientErrorCode;
export type ErrorMessages = Record<AnyErrorCode, string>;

export const errorsNl: ErrorMessages = {
  bad_request: 'Het verzoek klopt niet. Vernieuw de pagina en probeer het opnieuw.',
  validation_failed:
    'Niet alle velden zijn goed ingevuld. Controleer de invoer en probeer het opnieuw.',
  malformed_json: 'Het verzoek kon niet worden gelezen. Vernieuw de pagina en probeer het opnieuw.',
  unsupported_media_type:
    'Het verzoek had een onverwacht formaat. Vernieuw de pagina en probeer het opnieuw.',
  payload_too_large: 'De invoer is te groot. Maak hem kleiner en probeer het opnieuw.',
  unauthenticated: 'Je bent niet (meer) ingelogd. Log in om verder te gaan.',
  session_expired: 'Je sessie is verlopen. Log opnieuw in om verder te gaan.',
  forbidden: 'Je hebt geen toegang tot deze gegevens of deze actie.',
  csrf_invalid:
    'Je sessie is niet meer geldig voor deze actie. Vernieuw de pagina en probeer het opnieuw.',
  origin_mismatch: 'Het verzoek kwam niet van deze website. Open Teamspiegel via het gewone adres.',
  not_found: 'Dit bestaat niet (meer), of valt buiten jouw bereik.',
  conflict:
    'Iemand anders heeft dit intussen gewijzigd. Vernieuw de pagina en probeer het opnieuw.',
  invalid_credentials: 'De gebruikersnaam of het wachtwoord klopt niet.',
  login_throttled: 'Te veel inlogpogingen. Wacht een paar minuten en probeer het dan opnieuw.',
  rate_limited: 'Te veel verzoeken in korte tijd. Wacht even en probeer het opnieuw.',
  password_too_weak:
    'Dit wachtwoord is te zwak. Gebruik minimaal 12 tekens, bijvoorbeeld een zin van een paar woorden.',
  password_reused: 'Kies een ander wachtwoord dan je huidige.',
  password_change_required: 'Kies eerst een eigen wachtwoord voordat je verdergaat.',
  employee_number_taken: 'Dit personeelsnummer is al in gebruik.',
  username_taken: 'Deze gebruikersnaam is al in gebruik. Kies een andere.',
  unit_code_taken: 'Deze code is al in gebruik bij een andere eenheid.',
  unit_cycle:
    'Een eenheid kan niet onder zichzelf of onder een van haar eigen onderliggende eenheden komen.',
  unit_archived: 'Deze eenheid is gearchiveerd en kan niet meer worden gewijzigd of gebruikt.',
  unit_has_active_children: 'Archiveer eerst de onderliggende eenheden.',
  unit_has_members: 'Deze eenheid heeft nog leden. Beëindig eerst hun lidmaatschappen.',
  unit_kind_not_allowed:
    'Dit soort eenheid kan niet onder deze bovenliggende eenheid worden geplaatst.',
  root_unit_immutable: 'De hoogste eenheid kan niet worden verplaatst of gearchiveerd.',
  person_inactive: 'Deze persoon is gedeactiveerd.',
  membership_overlap: 'Deze persoon is in die periode al lid van deze eenheid.',
  membership_dates_invalid: 'De data kloppen niet: de einddatum moet na de begindatum liggen.',
  role_scope_invalid: 'Deze rol kan niet voor deze eenheid worden toegekend.',
  role_already_assigned: 'Deze persoon heeft deze rol al voor deze eenheid.',
  programme_root_invalid:
    'Een programma hoort bij een korps of zone. Kies de bovenste eenheid van de organisatie.',
  wave_state_conflict: 'Deze meting staat niet (meer) in de juiste fase voor deze stap.',
  wave_not_open: 'Deze meting is niet open. Antwoorden kan alleen zolang ze openstaat.',
  not_eligible: 'Je hoort niet bij de deelnemers van deze meting.',
  token_already_taken:
    'Je hebt op een ander apparaat al meegedaan. Je antwoorden wijzigen kan alleen op dat apparaat.',
  invalid_token: 'Je antwoorden konden niet worden gecontroleerd. Laad de pagina opnieuw.',
  invalid_answers: 'Niet alle antwoorden passen bij de vragen. Laad de pagina opnieuw.',
  content_pack_invalid:
    'Het inhoudspakket is onvolledig of klopt niet. Bekijk de lijst met problemen.',
  internal_error: 'Er ging aan onze kant iets mis. Probeer het later opnieuw.',
  network_error: 'Geen verbinding met de server. Controleer je netwerk en probeer het opnieuw.',
  unknown_error: 'Er ging iets mis. Probeer het opnieuw.',
  // --- issue 6: roster freeze ---
  four_eyes_required:
    'Een tweede beheerder moet deze wijziging goedkeuren. Je kunt je eigen voorstel niet goedkeuren.',
  four_eyes_related:
    'Jij en de indiener hebben elkaars account of beheerdersrol aangemaakt, of zijn door dezelfde beheerder aangemaakt, dus jouw goedkeuring is geen tweede paar ogen. Een andere beheerder moet goedkeuren, of een beheerder die de serverbeheerder heeft aangesteld.',
  roster_change_not_pending: 'Over deze wijziging is al beslist.',
  roster_change_failed:
    'Deze wijziging kan niet meer worden uitgevoerd: de organisatie is intussen veranderd. Ze is gemarkeerd als mislukt.',
  wave_open_early_roster_changed:
    'Vroeger openen kan alleen met een teamindeling die de hele bevriezingsperiode vaststond: binnen die periode is de indeling direct gewijzigd, zonder tweede beheerder. Wacht tot die wijzigingen buiten de periode vallen, of open de ronde op de geplande dag.',
  // --- issue 6: import ---
  import_no_files: 'Kies minstens één bestand: eenheden, personen of lidmaatschappen.',
  import_organisation_required: 'Kies de organisatie waarin u importeert.',
  import_unexpected_field:
    'Er zat een onbekend onderdeel in de upload. Gebruik alleen de velden eenheden, personen en lidmaatschappen.',
  import_empty_file:
    'Een bestand is leeg of heeft alleen een kopregel. Exporteer het opnieuw uit het HR-systeem.',
  import_not_utf8:
    "Een bestand is niet in UTF-8 opgeslagen. Sla het opnieuw op als 'CSV UTF-8' en probeer het opnieuw.",
  import_too_large:
    'Een bestand is groter dan toegestaan. Splits het of vraag de beheerder de grens te verhogen.',
  import_missing_columns:
    'Een bestand mist verplichte kolommen. Controleer de kopregel tegen de handleiding.',
  import_unknown_delimiter:
    'Het scheidingsteken is niet herkend. Gebruik een puntkomma of een komma.',
  import_has_rejections:
    'Deze import heeft afgekeurde regels. Bevestig dat je alleen het geldige deel wilt verwerken.',
  import_stale: 'De organisatie is gewijzigd sinds deze proefimport. Start een nieuwe proefimport.',
  import_state_conflict: 'Deze import is al verwerkt, afgewezen of ter goedkeuring aangeboden.',
  // --- issue 6: settings ---
  threshold_lowering_refused:
    'Een drempel kan alleen omhoog, nooit lager dan nu en nooit onder het minimum.',
  settings_invalid: 'Niet alle instellingen zijn geldig. Controleer de gemarkeerde velden.',
  // --- issue 6: transparency ---
  // --- issue 6: works council audit ---
  // --- issue 6: operations ---
};

export const errorsNlBe: Partial<ErrorMessages> = {
  employee_number_taken: 'Dit stamnummer is al in gebruik.',
};

export const errorsEn: ErrorMessages = {
  bad_request: 'The request was not valid. Reload the page and try again.',
  validation_failed: 'Some fields are not filled in correctly. Check your input and try again.',
  malformed_json: 'The request could not be read. Reload the page and try again.',
  unsupported_media_type: 'The request had an unexpected format. Reload the page and try again.',
  payload_too_large: 'The input is too large. Make it smaller and try again.',
  unauthenticated: 'You are not logged in (any more). Log in to continue.',
  session_expired: 'Your session has expired. Log in again to continue.',
  forbidden: 'You do not have access to this data or action.',
  csrf_invalid: 'Your session is no longer valid for this action. Reload the page and try again.',
  origin_mismatch:
    'The request did not come from this site. Open Teamspiegel at its usual address.',
  not_found: 'This does not exist (any more), or it is outside your scope.',
  conflict: 'Someone else changed this in the meantime. Reload the page and try again.',
  invalid_credentials: 'The username or password is not correct.',
  login_throttled: 'Too many login attempts. Wait a few minutes and try again.',
  rate_limited: 'Too many requests in a short time. Wait a moment and try again.',
  password_too_weak:
    'This password is too weak. Use at least 12 characters, for example a sentence of a few words.',
  password_reused: 'Choose a password different from your current one.',
  password_change_required: 'Choose your own password before you continue.',
  employee_number_taken: 'This employee number is already in use.',
  username_taken: 'This username is already in use. Choose another one.',
  unit_code_taken: 'This code is already used by another unit.',
  unit_cycle: 'A unit cannot be placed under itself or under one of its own sub-units.',
  unit_archived: 'This unit is archived and can no longer be changed or used.',
  unit_has_active_children: 'Archive the sub-units first.',
  unit_has_members: 'This unit still has members. End their memberships first.',
  unit_kind_not_allowed: 'This kind of unit cannot be placed under this parent unit.',
  root_unit_immutable: 'The top unit cannot be moved or archived.',
  person_inactive: 'This person has been deactivated.',
  membership_overlap: 'This person is already a member of this unit in that period.',
  membership_dates_invalid: 'The dates are not valid: the end date must be after the start date.',
  role_scope_invalid: 'This role cannot be assigned for this unit.',
  role_already_assigned: 'This person already has this role for this unit.',
  programme_root_invalid:
    'A programme belongs to a corps or zone. Choose the top unit of the organisation.',
  wave_state_conflict: 'This wave is not (or no longer) at the right stage for this step.',
  wave_not_open: 'This wave is not open. You can answer only while it is open.',
  not_eligible: 'You are not among the participants of this wave.',
  token_already_taken:
    'You already took part on another device. You can change your answers only on that device.',
  invalid_token: 'Your answers could not be checked. Please reload the page.',
  invalid_answers: 'Not all answers fit the questions. Please reload the page.',
  content_pack_invalid: 'The content pack is incomplete or inconsistent. See the list of problems.',
  internal_error: 'Something went wrong on our side. Please try again later.',
  network_error: 'No connection to the server. Check your network and try again.',
  unknown_error: 'Something went wrong. Please try again.',
  // --- issue 6: roster freeze ---
  four_eyes_required:
    'A second administrator must approve this change. You cannot approve your own proposal.',
  four_eyes_related:
    "You and the proposer made one another's account or administrator role, or the same administrator made you both, so your approval would not be a second pair of eyes. Another administrator, or one appointed by the operator, must approve.",
  roster_change_not_pending: 'This change has already been decided.',
  roster_change_failed:
    'This change can no longer be applied: the organisation has changed meanwhile. It is marked as failed.',
  wave_open_early_roster_changed:
    'Opening early needs a roster that stayed frozen for the whole freeze window: within it the roster was changed directly, without a second administrator. Wait until those changes fall outside the window, or open the wave on schedule.',
  // --- issue 6: import ---
  import_no_files: 'Choose at least one file: units, people or memberships.',
  import_organisation_required: 'Choose the organisation you import into.',
  import_unexpected_field:
    'The upload held an unknown part. Use only the fields units, people and memberships.',
  import_empty_file:
    'A file is empty or has only a header line. Export it again from the HR system.',
  import_not_utf8: "A file is not saved as UTF-8. Save it again as 'CSV UTF-8' and try again.",
  import_too_large:
    'A file is larger than allowed. Split it or ask the administrator to raise the limit.',
  import_missing_columns: 'A file lacks required columns. Check its header line against the guide.',
  import_unknown_delimiter: 'The delimiter was not recognised. Use a semicolon or a comma.',
  import_has_rejections:
    'This import has rejected rows. Confirm that you want to apply only the valid part.',
  import_stale: 'The organisation changed since this dry run. Start a new dry run.',
  import_state_conflict: 'This import has already been applied, rejected or sent for approval.',
  // --- issue 6: settings ---
  threshold_lowering_refused:
    'A threshold can only be raised: never below its current value, never below the floor.',
  settings_invalid: 'Not every setting is valid. Check the marked fields.',
  // --- issue 6: transparency ---
  // --- issue 6: works council audit ---
  // --- issue 6: operations ---
};
