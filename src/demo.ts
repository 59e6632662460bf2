/** A short demo of what exists so far: printed by `npm start` until the daemon lands. */
export function runEnvDemo(): void {
  console.log('plasticd: environments are being built; nothing to demo yet.');
}
