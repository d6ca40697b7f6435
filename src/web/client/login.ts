// The sign-in page: the one-time link `portwatch watch --ui` prints signs in by itself; this form is for the
// UI password (`portwatch config set ui.password -`). Sent with fetch, since the page's policy allows no
// form submission.
import '../../renderer/common/styles.css';
import './web.css';

const form = document.getElementById('login') as HTMLFormElement;
const password = document.getElementById('password') as HTMLInputElement;
const message = document.getElementById('message') as HTMLElement;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  message.textContent = '';
  void fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ password: password.value }),
    credentials: 'same-origin',
  })
    .then(async (response) => {
      const body = (await response.json().catch(() => null)) as { ok?: boolean; error?: string } | null;
      if (body?.ok) location.replace('/');
      else message.textContent = body?.error ?? `the server answered ${response.status}`;
    })
    .catch(() => (message.textContent = 'Portwatch does not answer; is portwatch watch --ui running?'));
});
