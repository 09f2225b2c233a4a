import { render } from 'preact';

// Scaffold; replaced by the real console.
render(<p>Parley console</p>, document.getElementById('root') as HTMLElement);
