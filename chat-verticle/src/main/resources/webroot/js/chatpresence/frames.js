// The frames of the client protocol (client-protocol.txt, shared/contract.md, docs/protocol.md), both ways.
// Extensions (read, typing, edit, sync) reach a socket only when it asked for them in the AUTH `features`.
export {};
