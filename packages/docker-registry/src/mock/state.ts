/** The mock's V1 and Hub data: images, repositories with search metadata, users, tokens. */

/** A V1 image: its JSON as uploaded, its layer and checksum once pushed. */
export interface MockV1Image {
  id: string
  /** The image JSON bytes exactly as stored. */
  json: Uint8Array
  parent?: string
  layer?: Uint8Array
  /** `X-Docker-Checksum` as pushed (or computed when seeded). */
  checksum?: string
  /** True once json, layer and checksum are all in (the push order finished). */
  complete: boolean
}

/** A repository: V1 tags and image list, plus what Hub search reports about it. */
export interface MockRepository {
  /** Full name, `library/` included for official images. */
  name: string
  tags: Map<string, string>
  /** The index's image list (`ImgData`). */
  images: Array<{ id: string; checksum?: string; Tag?: string }>
  private: boolean
  description: string
  starCount: number
  official: boolean
  automated: boolean
}

/** A user of the mock's index and token server. */
export interface MockUser {
  password: string
  /** Inactive accounts get 403 (default true). */
  active?: boolean
}

/** Everything the V1 registry, index and search handlers share. */
export interface MockState {
  images: Map<string, MockV1Image>
  repositories: Map<string, MockRepository>
  users: Map<string, MockUser>
  /** Issued V1 tokens by signature. */
  tokens: Map<string, { repository: string; access: 'read' | 'write' }>
  /** Registry session cookies handed out after a valid token. */
  sessions: Set<string>
}

/** A fresh, empty state. */
export function emptyState(users: Record<string, string | MockUser> = {}): MockState {
  return {
    images: new Map(),
    repositories: new Map(),
    users: new Map(
      Object.entries(users).map(([name, u]) => [name, typeof u === 'string' ? { password: u } : u]),
    ),
    tokens: new Map(),
    sessions: new Set(),
  }
}

/** `ubuntu` → `library/ubuntu`: V1 index paths omit the official namespace. */
export function fullName(name: string): string {
  return name.includes('/') ? name : `library/${name}`
}

/** A repository, created empty when missing. */
export function repository(state: MockState, name: string): MockRepository {
  const full = fullName(name)
  let repo = state.repositories.get(full)
  if (!repo) {
    repo = {
      name: full,
      tags: new Map(),
      images: [],
      private: false,
      description: '',
      starCount: 0,
      official: full.startsWith('library/'),
      automated: false,
    }
    state.repositories.set(full, repo)
  }
  return repo
}
