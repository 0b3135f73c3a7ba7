import { useId, type RefObject } from 'react';
import { BackspaceIcon, cleanCode, CODE_KEYS, keepFocus, Keypad } from './keypad.tsx';

/**
 * A code typed on the big on-screen keypad, on a keyboard, or by a keyboard-wedge scanner (the field
 * keeps the focus; Enter submits the surrounding form). `inputMode="none"` keeps the OS keyboard away.
 */
export function CodeField(props: Readonly<{
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  length: number;
  keep?: 'first' | 'last';
  format?: (value: string) => string;
  deleteLabel: string;
  disabled?: boolean;
  inputRef?: RefObject<HTMLInputElement | null>;
}>) {
  const id = useId();
  const shown = props.format ? props.format(props.value) : props.value;
  return (
    <div className="kiosk-code">
      <label className="kiosk-code__label" htmlFor={id}>{props.label}</label>
      <p className="kiosk-code__hint" id={`${id}-hint`}>{props.hint}</p>
      <div className="kiosk-code__row" dir="ltr">
        <input
          ref={props.inputRef}
          id={id}
          className="kiosk-code__input"
          value={shown}
          inputMode="none"
          autoComplete="off"
          autoCorrect="off"
          autoCapitalize="characters"
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          disabled={props.disabled}
          onChange={(event) => props.onChange(cleanCode(event.target.value, props.length, props.keep))}
        />
        <button type="button" className="kiosk-key kiosk-key--delete" onMouseDown={keepFocus} disabled={props.disabled || props.value === ''}
          aria-label={props.deleteLabel} title={props.deleteLabel} onClick={() => props.onChange(props.value.slice(0, -1))}>
          <BackspaceIcon />
        </button>
      </div>
      <Keypad keys={CODE_KEYS} columns={8} className="kiosk-keypad--code" disabled={props.disabled} full={props.value.length >= props.length}
        onKey={(key) => props.onChange(cleanCode(props.value + key, props.length))} />
    </div>
  );
}
