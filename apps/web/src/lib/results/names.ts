import type { NodeRef, ParticipationBand, Period, ResultWave } from '@teamspiegel/contracts';
import { formatDate } from '$lib/format';
import { locale, t } from '$lib/i18n';

/** A node's name as people read it; remainder and leadership groups say what they are. */
export function nodeName(node: Pick<NodeRef, 'kind' | 'name'>): string {
  switch (node.kind) {
    case 'remainder':
      return t('results.kind.remainder', { name: node.name });
    case 'leadership':
      return t('results.kind.leadership', { name: node.name });
    case 'unit':
    case 'team':
      return node.name;
  }
}

export function waveName(wave: ResultWave): string {
  return t('results.waveName', {
    programme: wave.programmeName,
    sequence: wave.sequence,
    date: formatDate(locale.current, wave.closesOn),
  });
}

/** A wave in a picker: without the programme when every wave belongs to the same one. */
export function waveShortName(wave: ResultWave, oneProgramme: boolean): string {
  if (!oneProgramme) return waveName(wave);
  return t('results.waveShort', {
    sequence: wave.sequence,
    date: formatDate(locale.current, wave.closesOn),
  });
}

export function periodName(period: Period): string {
  return period === 'quarter' ? t('results.period.quarter') : t('results.period.wave');
}

export function bandName(band: ParticipationBand): string {
  switch (band) {
    case '<30%':
      return t('results.band.low');
    case '30-60%':
      return t('results.band.mid');
    case '>60%':
      return t('results.band.high');
  }
}
