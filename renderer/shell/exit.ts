import { shellApi } from './shell-api.ts';

const form = document.querySelector<HTMLFormElement>('#exit')!;
const message = document.querySelector<HTMLElement>('#message')!;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const input = form.elements.namedItem('pin') as HTMLInputElement;
  void shellApi().leaveKiosk(input.value).then((result) => {
    input.value = '';
    if (result.outcome === 'wrong-pin') message.textContent = `Wrong PIN (${result.remaining} tries left).`;
    else if (result.outcome === 'locked') message.textContent = `Too many wrong PINs: try again in ${Math.ceil(result.retryInMs / 60_000)} min.`;
  });
});
