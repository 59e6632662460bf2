/** The websocket feed: gateway, its ring buffer and per-client sessions (protocol: docs/feed-protocol.md). */
export { FeedGateway } from './feed-gateway.ts';
export type { FeedGatewayOptions, FeedStats, FeedLogger, FeedClock } from './feed-gateway.ts';
export type { SessionInfo } from './client-session.ts';
export { RingBuffer } from './ring-buffer.ts';
export { parseClientMessage } from './parse-client-message.ts';
