import { filterBuilder, userSession } from '@wharf/provision'
import { createMockProvision } from '@wharf/provision/mock'

const server = await createMockProvision().listen()
const client = await userSession(server.url, 'rocketskates', 'r0cketsk8ts')
for (const name of ['alpha', 'bravo', 'charlie', 'delta']) {
  await client.createModel('machines', { Name: `${name}.example.com` })
}

// The seed's argument grammar …
const fromArgs = await client.filter(
  'machines',
  'Name',
  'Between',
  'b',
  'd',
  'sort',
  'Name',
  'reverse',
)
// … or the typed builder, which sends the same query.
const query = filterBuilder().where('Name', 'Between', 'b', 'd').sort('Name').reverse()
const fromBuilder = await client.filter('machines', query)

const names = fromArgs.map((m) => m.Name)
console.log(names, query.query().toString())

client.close()
await server.close()

export { fromBuilder, names }
