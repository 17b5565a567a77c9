import type { Collection, Container, Entity } from './models.js'

/** Names of the library's record kinds (the seed's `LibraryModels`). */
export const LIBRARY_MODELS = ['Entity', 'Collection', 'Container', 'Image', 'Blob'] as const

/**
 * The `library://` URI of an entity, collection or container record (the seed's `LibraryURI`),
 * built from its name and the computed `entityName` / `collectionName` fields.
 */
export function libraryUri(record: Entity | Collection | Container): string {
  if ('imageTags' in record) {
    return `library://${record.entityName ?? ''}/${record.collectionName ?? ''}/${record.name}`
  }
  if ('containers' in record) return `library://${record.entityName ?? ''}/${record.name}`
  return `library://${record.name}`
}
