// One clock for the whole UI: relative times ("2 min ago") and live elapsed times read `clock.now`,
// which moves once a second, so they all stay current without each setting its own timer.
class Clock {
  now = $state(Date.now());

  constructor() {
    if (typeof window !== 'undefined') setInterval(() => (this.now = Date.now()), 1000);
  }
}

export const clock = new Clock();
