// The probe plugin's screen (tests): proves the shell imported it and called render().
export function render(mount, kit, ctx) {
  mount.textContent = `probe view ${JSON.stringify(ctx && ctx.params ? ctx.params : {})}`;
}
