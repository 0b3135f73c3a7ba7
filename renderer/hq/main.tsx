import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import '../manager/manager.css';
import { App } from './app.tsx';
import { dictionary } from './i18n.ts';
import './hq.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary}>
      <App />
    </I18nProvider>
  </StrictMode>,
);
