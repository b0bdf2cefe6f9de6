import Foundation
import HookSyncCore
import Logging
import ServiceLifecycle

/// Tells the inbox, a few times per `failover`, that this agent is alive, and takes or keeps
/// the poll leadership of the sources it polls; what the inbox answers goes to the
/// ``LeadershipBoard`` the pollers follow, and to the leader gauge. A graceful stop gives the
/// leaderships up, so another agent takes over at its next heartbeat.
struct AgentHeartbeat: Service {
    let inbox: any Inbox
    let identity: AgentIdentity
    /// The sources this agent would poll.
    let sources: [String]
    let board: LeadershipBoard
    let metrics: AgentMetrics?
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            let interval = await board.heartbeatInterval
            var led = Set<String>()
            var failing = false
            while !Task.isCancelled {
                let sent = clock.now
                do {
                    let now = try await inbox.heartbeat(identity, sources: sources, term: await board.term)
                    await board.granted(now, sentAt: sent)
                    for source in now.subtracting(led).sorted() {
                        logger.notice("leading the polling of a source", metadata: ["source": "\(source)"])
                    }
                    for source in led.subtracting(now).sorted() {
                        logger.notice("another agent leads the polling of a source now", metadata: ["source": "\(source)"])
                    }
                    led = now
                    if failing { logger.notice("heartbeats reach the inbox again") }
                    failing = false
                } catch {
                    // The board's view runs out by itself: no poll after the term.
                    if !failing { logger.warning("heartbeat failed; will retry", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                for source in sources { metrics?.pollLeader(source: source, leading: await board.leads(source)) }
                do { try await clock.sleep(until: sent + interval) } catch { break }
            }
        }
        do {
            try await inbox.releaseLeadership(agent: identity.id)
        } catch {
            logger.warning("cannot give up poll leadership; another agent takes over when its term ends", metadata: ["error": "\(error)"])
        }
        for source in sources { metrics?.pollLeader(source: source, leading: false) }
    }
}
