import { randomId, refuse } from './http.js'

/** Fields every stored record has (the wire's BaseModel plus an id). */
export interface MockRecord {
  id: string
  name: string
  description: string
  createdAt: string
  createdBy: string
  deleted: boolean
}

/** An entity (user or group), with its storage quota in bytes. */
export interface MockEntity extends MockRecord {
  quota: number
  defaultPrivate: boolean
}

/** A collection inside an entity. */
export interface MockCollection extends MockRecord {
  entity: string
  private: boolean
}

/** A container inside a collection, with its legacy and per-architecture tags. */
export interface MockContainer extends MockRecord {
  collection: string
  imageTags: Record<string, string>
  archTags: Record<string, Record<string, string>>
  downloadCount: number
  private: boolean
}

/** One image file version; `bytes` is set once its upload completed. */
export interface MockImage {
  id: string
  hash: string
  description: string
  container: string
  size: number
  uploaded: boolean
  arch?: string
  signed?: boolean
  createdAt: string
  bytes?: Uint8Array
}

/** A pending upload: a single presigned PUT or a multipart upload. */
export interface MockUpload {
  id: string
  imageId: string
  kind: 'single' | 'multipart'
  size: number
  partSize: number
  totalParts: number
  /** sha256 hex the client announced for the whole file (single) or per part (multipart). */
  checksums: Map<number, string>
  parts: Map<number, { bytes: Uint8Array; etag: string }>
}

/** What a presigned storage URL is allowed to do. */
export interface PresignedTarget {
  kind: 'upload' | 'part' | 'download'
  uploadId?: string
  partNumber?: number
  imageId?: string
  /** The PUT must carry `x-amz-content-sha256` with this value. */
  signedChecksum?: string
}

/** The whole in-memory library. */
export class MockStore {
  readonly entities = new Map<string, MockEntity>()
  readonly collections = new Map<string, MockCollection>()
  readonly containers = new Map<string, MockContainer>()
  readonly images = new Map<string, MockImage>()
  readonly uploads = new Map<string, MockUpload>()
  /** Upload ids aborted by the client, in order. */
  readonly aborted: string[] = []
  /** Presigned URL signatures and what each allows. */
  readonly presigned = new Map<string, PresignedTarget>()

  constructor(private readonly defaults: { quota: number; entity: string; collection: string }) {}

  private base(name: string, description: string | undefined): MockRecord {
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name))
      refuse(400, `invalid name ${JSON.stringify(name)}`)
    return {
      id: randomId(),
      name,
      description: description || 'No description',
      createdAt: new Date().toISOString(),
      createdBy: '',
      deleted: false,
    }
  }

  /** Creates an entity; 409 when the name is taken. */
  addEntity(name: string, description?: string): MockEntity {
    if (this.entity(name)) refuse(409, `entity ${name} already exists`)
    const entity = {
      ...this.base(name, description),
      quota: this.defaults.quota,
      defaultPrivate: false,
    }
    this.entities.set(entity.id, entity)
    return entity
  }

  /** Creates a collection in an entity (by id); 409 when the name is taken there. */
  addCollection(entityId: string, name: string, description?: string): MockCollection {
    const entity = this.entities.get(entityId) ?? refuse(400, `no entity with id ${entityId}`)
    if (this.collection(entity.name, name)) refuse(409, `collection ${name} already exists`)
    const collection = { ...this.base(name, description), entity: entityId, private: false }
    this.collections.set(collection.id, collection)
    return collection
  }

  /** Creates a container in a collection (by id); 409 when the name is taken there. */
  addContainer(collectionId: string, name: string, description?: string): MockContainer {
    const collection =
      this.collections.get(collectionId) ?? refuse(400, `no collection with id ${collectionId}`)
    const entity = this.entities.get(collection.entity)!
    if (this.container(entity.name, collection.name, name)) {
      refuse(409, `container ${name} already exists`)
    }
    const container = {
      ...this.base(name, description),
      collection: collectionId,
      imageTags: {},
      archTags: {},
      downloadCount: 0,
      private: false,
    }
    this.containers.set(container.id, container)
    return container
  }

  /** Creates an image record (never with an arch); 409 when the hash exists in the container. */
  addImage(containerId: string, hash: string, description: string): MockImage {
    if (!this.containers.has(containerId)) refuse(400, `no container with id ${containerId}`)
    if ([...this.images.values()].some((i) => i.container === containerId && i.hash === hash)) {
      refuse(409, `image ${hash} already exists`)
    }
    const image: MockImage = {
      id: randomId(),
      hash,
      description,
      container: containerId,
      size: 0,
      uploaded: false,
      createdAt: new Date().toISOString(),
    }
    this.images.set(image.id, image)
    return image
  }

  /** The entity with this name. */
  entity(name: string): MockEntity | undefined {
    return [...this.entities.values()].find((e) => e.name === name)
  }

  /** The collection `entity/name`. */
  collection(entity: string, name: string): MockCollection | undefined {
    const owner = this.entity(entity)
    return [...this.collections.values()].find((c) => c.entity === owner?.id && c.name === name)
  }

  /** The container `entity/collection/name`. */
  container(entity: string, collection: string, name: string): MockContainer | undefined {
    const owner = this.collection(entity, collection)
    return [...this.containers.values()].find((c) => c.collection === owner?.id && c.name === name)
  }

  /**
   * The container and image a reference names: `[entity/][collection/]container[:tag|:hash]`
   * (short forms use the default entity and collection); a hash ignores `arch`, a tag is looked
   * up per `arch` when one is given, in the legacy tags otherwise.
   */
  resolve(ref: string, arch: string): { container?: MockContainer; image?: MockImage } {
    const [path = '', tag = 'latest', extra] = ref.replace(/^\/+/, '').split(':')
    if (extra !== undefined) return {}
    const parts = path.split('/')
    if (parts.length > 3 || parts.some((p) => p === '')) return {}
    const { entity, collection } = this.defaults
    const [e, c, n] = (
      parts.length === 3
        ? parts
        : parts.length === 2
          ? [entity, ...parts]
          : [entity, collection, ...parts]
    ) as [string, string, string]
    const container = this.container(e, c, n)
    if (!container) return {}
    let image: MockImage | undefined
    if (/^(sha256|sif)\./.test(tag)) {
      image = [...this.images.values()].find((i) => i.container === container.id && i.hash === tag)
    } else {
      const id = arch ? container.archTags[arch]?.[tag] : container.imageTags[tag]
      image = id === undefined ? undefined : this.images.get(id)
    }
    return image ? { container, image } : { container }
  }

  /** Entity, collection and container of an image. */
  lineage(image: MockImage): {
    entity: MockEntity
    collection: MockCollection
    container: MockContainer
  } {
    const container = this.containers.get(image.container)!
    const collection = this.collections.get(container.collection)!
    const entity = this.entities.get(collection.entity)!
    return { entity, collection, container }
  }

  /** Bytes of uploaded images owned by an entity. */
  usage(entityId: string): number {
    let total = 0
    for (const image of this.images.values()) {
      if (image.uploaded && this.lineage(image).entity.id === entityId) total += image.size
    }
    return total
  }

  /** Sets (or, with an empty image id, removes) a tag; v2 tags also set the image's arch. */
  setTag(container: MockContainer, tag: string, imageId: string, arch?: string): void {
    if (imageId === '') {
      delete container.imageTags[tag]
      if (arch !== undefined) delete container.archTags[arch]?.[tag]
      return
    }
    const image = this.images.get(imageId)
    if (!image || image.container !== container.id) {
      refuse(400, `image ${imageId} is not in container ${container.id}`)
    }
    container.imageTags[tag] = imageId
    if (arch !== undefined) {
      container.archTags[arch] = { ...container.archTags[arch], [tag]: imageId }
      image.arch = arch
    }
  }

  /** Deletes an image with its tags. */
  deleteImage(image: MockImage): void {
    const container = this.containers.get(image.container)!
    for (const [tag, id] of Object.entries(container.imageTags)) {
      if (id === image.id) delete container.imageTags[tag]
    }
    for (const tags of Object.values(container.archTags)) {
      for (const [tag, id] of Object.entries(tags)) if (id === image.id) delete tags[tag]
    }
    this.images.delete(image.id)
  }
}
