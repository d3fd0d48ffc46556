import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { KeyGate } from './key-gate.js';
import './styles.css';

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <KeyGate>
      <App />
    </KeyGate>
  </StrictMode>,
);
