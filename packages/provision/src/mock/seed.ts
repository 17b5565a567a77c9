import type { Store } from './store.js'

/** Default preferences of a fresh server (§12.1). */
export function defaultPrefs(secret: () => string): Record<string, string> {
  return {
    baseTokenSecret: secret().padEnd(32, '0').slice(0, 32),
    systemGrantorSecret: secret(),
    defaultBootEnv: 'local',
    unknownBootEnv: 'ignore',
    defaultStage: 'none',
    knownTokenTimeout: '3600',
    unknownTokenTimeout: '600',
    logLevel: 'warn',
    debugBootEnv: 'warn',
    debugDhcp: 'warn',
    debugRenderer: 'warn',
    debugFrontend: 'warn',
    debugPlugins: 'warn',
  }
}

/** Seeds the objects of a fresh server (§18). */
export function seedStore(store: Store, users: string[]): void {
  const ro = { readOnly: true, silent: true }
  store.create(
    'bootenvs',
    {
      Name: 'local',
      OS: { Name: 'local' },
      OnlyUnknown: false,
      Templates: ['pxelinux', 'ipxe', 'pxelinux-mac', 'ipxe-mac'].map((n) => ({
        Name: n,
        Path: '',
        Contents: '',
      })),
      Meta: { 'feature-flags': 'change-stage-v2' },
    },
    ro,
  )
  store.create(
    'bootenvs',
    {
      Name: 'ignore',
      OS: { Name: 'ignore' },
      OnlyUnknown: true,
      Templates: [
        { Name: 'pxelinux', Path: 'pxelinux.cfg/default', Contents: '' },
        { Name: 'ipxe', Path: 'default.ipxe', Contents: '' },
      ],
    },
    ro,
  )
  store.create('stages', { Name: 'none' }, ro)
  store.create('stages', { Name: 'local', BootEnv: 'local' }, ro)
  store.create(
    'params',
    { Name: 'pxelinux-local-boot', Schema: { type: 'string', default: 'localboot 0' } },
    ro,
  )
  store.create(
    'roles',
    { Name: 'superuser', Claims: [{ scope: '*', action: '*', specific: '*' }] },
    ro,
  )
  store.create('profiles', { Name: 'global', Params: {} }, { silent: true })
  for (const name of users) {
    store.create(
      'users',
      { Name: name, Roles: ['superuser'], Secret: store.sources.secret() },
      { silent: true },
    )
  }
  store.collection('interfaces').set('lo', {
    Name: 'lo',
    Index: 1,
    Addresses: ['127.0.0.1/8'],
    ActiveAddress: '127.0.0.1',
    Gateway: '',
    DnsServers: [],
    DnsDomain: '',
    ReadOnly: true,
    Meta: {},
  })
}
