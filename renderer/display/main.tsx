import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { DisplayApp } from './display-app.tsx';
import { dictionary } from './i18n.ts';
import './display.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary} storageKey="smartqueue.display.lang">
      <DisplayApp />
    </I18nProvider>
  </StrictMode>,
);
