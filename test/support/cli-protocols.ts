/** Small protocols the CLI tests run: one whose invariant the first delivery breaks. */
export const unsafeProtocol = `protocol Unsafe
message Ping
node A { on start { send Ping to B } }
node B { state got: bool = false
  on Ping { got = true } }
invariant NeverGot: not B.got
`;
