import { render } from 'preact';
import '../shared/chat.css';
import './console.css';
import { App } from './app.js';

// The agent console: the inbox for agents, and the admin pages for admins. Served at /console/.
render(<App />, document.getElementById('root') as HTMLElement);
