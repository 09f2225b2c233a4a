// The demo page's only script (besides the widget's own tag): "start over" forgets this browser's Parley
// session, so one can play a new customer.

document.getElementById('reset')?.addEventListener('click', () => {
  for (const k of Object.keys(localStorage)) if (k.startsWith('parley')) localStorage.removeItem(k);
  sessionStorage.removeItem('parley-widget-open');
  location.reload();
});
