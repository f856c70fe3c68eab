// expect: compiler.err.cant.inherit.from.sealed
// mentions: BindResult
// Component results are sealed: nobody outside Demux can invent a new BindResult for the orchestrator to act on.
package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.demux.Demux;

record ForeignSealedResult(int port) implements Demux.BindResult {}
