import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { dictionary } from './i18n.ts';
import { KioskApp } from './kiosk-app.tsx';
import { readSettings } from './settings.ts';
import './kiosk.css';

// A public touchscreen: no context menu, no dragging images or text out of the page.
for (const type of ['contextmenu', 'dragstart', 'selectstart'] as const) {
  document.addEventListener(type, (event) => {
    if (!(event.target instanceof HTMLInputElement)) event.preventDefault();
  });
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary} storageKey="smartqueue.kiosk.lang">
      <KioskApp settings={readSettings(window.location.search)} />
    </I18nProvider>
  </StrictMode>,
);
