import { render } from 'preact';

// Scaffold; replaced by the real app.
render(<p>Parley app</p>, document.getElementById('root') as HTMLElement);
