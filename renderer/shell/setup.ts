import { shellApi } from './shell-api.ts';

const form = document.querySelector<HTMLFormElement>('#setup')!;
const message = document.querySelector<HTMLElement>('#message')!;
const value = (name: string) => ((form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '').trim();
const checked = (name: string) => form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? '';

function showSections(): void {
  const role = checked('role');
  for (const section of form.querySelectorAll<HTMLElement>('[data-for]')) section.hidden = !section.dataset['for']!.split(' ').includes(role);
  const bootstrap = checked('bootstrap');
  for (const block of form.querySelectorAll<HTMLElement>('[data-bootstrap]')) block.hidden = block.dataset['bootstrap'] !== bootstrap;
}

function request(): unknown {
  const role = checked('role');
  switch (role) {
    case 'agent':
      return { role, serverUrl: value('serverUrl'), admin: { email: value('email'), password: value('password') } };
    case 'kiosk':
      return { role, serverUrl: value('serverUrl'), pairingCode: value('pairingCode'), exitPin: value('exitPin'), printAgentCode: value('printAgentCode') || null };
    case 'display':
      return { role, serverUrl: value('serverUrl'), pairingCode: value('pairingCode'), exitPin: value('exitPin'), monitorId: value('monitorId') ? Number(value('monitorId')) : null };
    default: {
      const kind = checked('bootstrap');
      const bootstrap = kind === 'enroll' ? { kind, cloudUrl: value('cloudUrl'), token: value('token') }
        : kind === 'create-tenant' ? { kind, name: value('tenantName'), slug: value('slug'), adminEmail: value('adminEmail'), adminPassword: value('adminPassword') }
          : { kind };
      return { role: 'server', console: value('console'), port: Number(value('port')), bootstrap };
    }
  }
}

async function init(): Promise<void> {
  const api = shellApi();
  const state = await api.getSetupState();
  const monitors = form.elements.namedItem('monitorId') as HTMLSelectElement;
  for (const screen of state.screens) monitors.add(new Option(`${screen.label}${screen.primary ? ' (main)' : ''}`, String(screen.id), screen.primary, screen.primary));
  form.addEventListener('change', showSections);
  showSections();

  const status = document.querySelector<HTMLOutputElement>('#discover-status')!;
  document.querySelector<HTMLButtonElement>('#discover')!.addEventListener('click', () => {
    status.value = 'Looking…';
    void api.discoverServers().then((found) => {
      const list = document.querySelector<HTMLDataListElement>('#found')!;
      list.replaceChildren(...found.map((s) => new Option(s.name, s.url)));
      status.value = found.length === 0 ? 'None found: type the address shown on the server PC.' : `${found.length} found.`;
      if (found.length === 1) (form.elements.namedItem('serverUrl') as HTMLInputElement).value = found[0]!.url;
    });
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.textContent = '';
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
    button.disabled = true;
    void api.completeSetup(request()).then((outcome) => {
      if (!outcome.ok) message.textContent = outcome.message;
    }).catch((error: unknown) => {
      message.textContent = (error as Error).message;
    }).finally(() => {
      button.disabled = false;
    });
  });
}

void init();
