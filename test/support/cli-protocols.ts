/** Small protocols the CLI and shard tests run. One whose invariant the first delivery breaks: */
export const unsafeProtocol = `protocol Unsafe
message Ping
node A { on start { send Ping to B } }
node B { state got: bool = false
  on Ping { got = true } }
invariant NeverGot: not B.got
`;

/** Three servers each pick 1, 2 or 3: NoThree breaks on many paths, NotAllTwo on few. */
export function flakyProtocol(mode: 'explore' | 'simulate'): string {
  return `protocol Flaky
param N = 3
message Ping
node Client { on start { broadcast Ping to Server } }
node Server[N] {
  state got: 0..3 = 0
  on Ping { choose { got = 1 } or { got = 2 } or { got = 3 } }
}
invariant NoThree: forall s in Server: s.got != 3
invariant NotAllTwo: not (forall s in Server: s.got == 2)
check ${mode} { crash up to 1 of Server }
`;
}
