import { render } from 'preact';

// Scaffold; replaced by the real demo.
render(<p>Parley demo</p>, document.getElementById('root') as HTMLElement);
