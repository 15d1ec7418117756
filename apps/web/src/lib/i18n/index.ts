export { locale, t, errorText } from './locale.svelte.ts';
export {
  translate,
  translateError,
  isLanguage,
  SUPPORTED_LANGUAGES,
  type MessageKey,
} from './translate.ts';
