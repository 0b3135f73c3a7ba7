import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { dictionary } from './i18n.ts';
import { TrackPage } from './track-page.tsx';

const publicId = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] ?? '');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary}>
      <TrackPage publicId={publicId} />
    </I18nProvider>
  </StrictMode>,
);
