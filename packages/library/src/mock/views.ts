import type {
  MockCollection,
  MockContainer,
  MockEntity,
  MockImage,
  MockRecord,
  MockStore,
} from './state.js'

const ZERO_TIME = '0001-01-01T00:00:00Z'

/** The audit fields of the wire's BaseModel. */
function audit(r: MockRecord) {
  return {
    deleted: r.deleted,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    updatedAt: ZERO_TIME,
    deletedAt: ZERO_TIME,
  }
}

/** The wire form of an entity. */
export function entityJson(store: MockStore, e: MockEntity) {
  const collections = [...store.collections.values()].filter((c) => c.entity === e.id)
  return {
    ...audit(e),
    id: e.id,
    name: e.name,
    description: e.description,
    collections: collections.map((c) => c.id),
    size: store.usage(e.id),
    quota: e.quota,
    defaultPrivate: e.defaultPrivate,
    customData: '',
  }
}

/** The wire form of a collection. */
export function collectionJson(store: MockStore, c: MockCollection) {
  return {
    ...audit(c),
    id: c.id,
    name: c.name,
    description: c.description,
    entity: c.entity,
    containers: [...store.containers.values()]
      .filter((n) => n.collection === c.id)
      .map((n) => n.id),
    size: 0,
    private: c.private,
    customData: '',
    entityName: store.entities.get(c.entity)!.name,
  }
}

/** The wire form of a container. */
export function containerJson(store: MockStore, n: MockContainer) {
  const collection = store.collections.get(n.collection)!
  return {
    ...audit(n),
    id: n.id,
    name: n.name,
    description: n.description,
    fullDescription: '',
    collection: n.collection,
    images: [...store.images.values()].filter((i) => i.container === n.id).map((i) => i.id),
    imageTags: n.imageTags,
    archTags: n.archTags,
    size: 0,
    downloadCount: n.downloadCount,
    stars: 0,
    private: n.private,
    readOnly: false,
    customData: '',
    entity: collection.entity,
    entityName: store.entities.get(collection.entity)!.name,
    collectionName: collection.name,
  }
}

/** The wire form of an image, with the computed names and tags. */
export function imageJson(store: MockStore, i: MockImage) {
  const { entity, collection, container } = store.lineage(i)
  const tags = new Set(
    Object.entries(container.imageTags).flatMap(([t, id]) => (id === i.id ? [t] : [])),
  )
  for (const map of Object.values(container.archTags)) {
    for (const [t, id] of Object.entries(map)) if (id === i.id) tags.add(t)
  }
  return {
    deleted: false,
    createdBy: '',
    createdAt: i.createdAt,
    updatedAt: ZERO_TIME,
    deletedAt: ZERO_TIME,
    id: i.id,
    hash: i.hash,
    description: i.description,
    container: i.container,
    size: i.size,
    uploaded: i.uploaded,
    ...(i.signed === undefined ? {} : { signed: i.signed }),
    ...(i.arch === undefined ? {} : { arch: i.arch }),
    customData: '',
    entity: entity.id,
    entityName: entity.name,
    collection: collection.id,
    collectionName: collection.name,
    containerName: container.name,
    containerDescription: container.description,
    ...(tags.size ? { tags: [...tags].sort() } : {}),
    containerStars: 0,
    containerDownloads: container.downloadCount,
  }
}
