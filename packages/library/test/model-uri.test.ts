import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import {
  type Collection,
  type Container,
  type Entity,
  LIBRARY_MODELS,
  libraryUri,
} from '../src/index.js'

it('builds library:// URIs of entities, collections and containers', () => {
  const base = { deleted: false, createdBy: '', createdAt: '0001-01-01T00:00:00Z', customData: '' }
  const entity = {
    ...base,
    id: '1',
    name: 'alice',
    description: '',
    collections: null,
    size: 0,
    quota: 0,
    defaultPrivate: false,
  } satisfies Entity
  const collection = {
    ...base,
    id: '2',
    name: 'tools',
    description: '',
    entity: '1',
    containers: [],
    size: 0,
    private: false,
    entityName: 'alice',
  } satisfies Collection
  const container = {
    ...base,
    id: '3',
    name: 'alpine',
    description: '',
    fullDescription: '',
    collection: '2',
    images: [],
    imageTags: {},
    archTags: {},
    size: 0,
    downloadCount: 0,
    stars: 0,
    private: false,
    readOnly: false,
    entityName: 'alice',
    collectionName: 'tools',
  } satisfies Container
  expect([libraryUri(entity), libraryUri(collection), libraryUri(container)]).toEqual([
    'library://alice',
    'library://alice/tools',
    'library://alice/tools/alpine',
  ])
  expect(LIBRARY_MODELS).toEqual(['Entity', 'Collection', 'Container', 'Image', 'Blob'])
})

it('keeps the mock independent of the client: it imports no client module', () => {
  const dir = fileURLToPath(new URL('../src/mock/', import.meta.url))
  for (const file of readdirSync(dir)) {
    const code = readFileSync(`${dir}${file}`, 'utf8')
    const imports = [...code.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!)
    expect(imports.filter((i) => i.startsWith('../') || i.startsWith('@wharf/transfer'))).toEqual(
      [],
    )
  }
})
