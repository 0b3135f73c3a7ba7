import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nProvider } from '../shared/i18n.tsx';
import { BookPage } from './book-page.tsx';
import { dictionary } from './i18n.ts';

// /book/{site_id}?service=… (a rebooking link preselects the service)
const siteId = decodeURIComponent(window.location.pathname.split('/').filter(Boolean)[1] ?? '');
const service = new URLSearchParams(window.location.search).get('service');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider dictionary={dictionary}>
      <BookPage siteId={siteId} preselected={service} />
    </I18nProvider>
  </StrictMode>,
);
