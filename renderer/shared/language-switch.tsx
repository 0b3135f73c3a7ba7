import { LANGUAGE_NAMES, LANGUAGES, useI18n } from './i18n.tsx';
import './language-switch.css';

/** Three large buttons, each labelled in its own language (a customer may not read the current one). */
export function LanguageSwitch({ label }: Readonly<{ label: string }>) {
  const { lang, setLang } = useI18n();
  return (
    <nav className="sq-langs" aria-label={label}>
      {LANGUAGES.map((code) => (
        <button
          key={code}
          type="button"
          lang={code}
          className={`sq-langs__btn${code === lang ? ' is-current' : ''}`}
          aria-pressed={code === lang}
          onClick={() => setLang(code)}
        >
          {LANGUAGE_NAMES[code]}
        </button>
      ))}
    </nav>
  );
}
