import { createClient } from '@unfold/client';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { ClientProvider } from './client-context.js';
import './styles.css';

const client = createClient({ baseUrl: window.location.origin });

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <ClientProvider client={client}>
      <App />
    </ClientProvider>
  </StrictMode>,
);
