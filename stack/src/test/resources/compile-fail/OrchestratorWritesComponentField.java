// expect: compiler.err.report.access
// mentions: cwnd
// The orchestrator holds the mutable components but writes no component field itself: cwnd is private.
package io.modtcp.stack.tcp;

import io.modtcp.stack.tcp.congestion.CongestionControl;

final class OrchestratorWritesComponentField {
    void inflate(CongestionControl cc) {
        cc.cwnd = Integer.MAX_VALUE;
    }
}
