// The Zero schema of the tests, and its permissions (deployed to the upstream database by
// zero-deploy-permissions before zero-cache starts): everyone reads every note, and a note
// can only be inserted by its author, the `sub` of the JWT that zero-cache verified.
import {
  ANYONE_CAN,
  createSchema,
  definePermissions,
  type ExpressionBuilder,
  string,
  table,
} from '@rocicorp/zero'

const note = table('note')
  .columns({ id: string(), author: string(), body: string() })
  .primaryKey('id')

export const schema = createSchema({
  tables: [note],
  enableLegacyQueries: true,
  enableLegacyMutators: true,
})

type Schema = typeof schema

export const NOTE_TABLE_SQL =
  'create table note (id text primary key, author text not null, body text not null)'

export const permissions = definePermissions<{ sub: string }, Schema>(schema, () => ({
  note: {
    row: {
      select: ANYONE_CAN,
      insert: [
        (auth: { sub: string }, { cmp }: ExpressionBuilder<'note', Schema>) =>
          cmp('author', '=', auth.sub),
      ],
    },
  },
}))
