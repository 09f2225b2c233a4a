// New-chat alerts: a short two-tone beep made with Web Audio (no sound file to serve or cache) and the
// tab title "(2) New chats", so an agent working in another tab notices. Browsers only let audio start
// after the person interacted with the page; logging in is that interaction, and a blocked beep is
// silently skipped — the title still changes.

let audio: AudioContext | undefined;

export function beep(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === 'suspended') void audio.resume();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = now + i * 0.16;
      // A quick fade in and out: a hard start or stop clicks.
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.14);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.15);
    }
  } catch {
    // No Web Audio (or not allowed yet): the title is the notification.
  }
}

export const BASE_TITLE = 'Parley console';

export function setTitleCount(n: number): void {
  document.title = n > 0 ? `(${n}) New chat${n === 1 ? '' : 's'} — ${BASE_TITLE}` : BASE_TITLE;
}

// Not under the session's prefix: logging out forgets the session, not this desk's sound preference.
const MUTE_KEY = 'parley-console-sound-off';

export function isMuted(): boolean {
  try {
    return window.localStorage.getItem(MUTE_KEY) === '1';
  } catch {
    return false;
  }
}

export function setMuted(muted: boolean): void {
  try {
    if (muted) window.localStorage.setItem(MUTE_KEY, '1');
    else window.localStorage.removeItem(MUTE_KEY);
  } catch {
    /* the choice lasts for this page only */
  }
}
