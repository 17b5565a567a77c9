/** The error a promise rejects with; fails the test when it resolves instead. */
export function failure(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => {
      throw new Error('expected the operation to fail, but it succeeded')
    },
    (error: unknown) => error,
  )
}
