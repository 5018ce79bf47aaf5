// The probe plugin's card (tests).
export function render(mount) {
  mount.textContent = 'probe card';
}
