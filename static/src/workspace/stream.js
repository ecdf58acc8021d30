// Follows one run's events over its WebSocket. Each event is delivered once, in seq order: a
// dropped socket is reopened with ?after=<last seq seen> until `done` arrives; if the socket
// keeps failing, the stored record (GET /api/runs/<id>) fills in what is missing.
import { getJSON, socketUrl } from "../base/api.js";
import { TERMINAL_STATUSES } from "../base/statuses.js";

const BACKOFF_MS = [100, 250, 500, 1000, 2000, 3000];
const CHECK_RECORD_AFTER = 3;

export class RunStream {
  /**
   * runId, wsPath ("/ws/runs/<id>"), after: last seq already applied.
   * onEvent(event) for every new event; onLost(error) when the run cannot be followed at all.
   */
  constructor({ runId, wsPath, after = 0, onEvent, onLost = () => {} }) {
    this.runId = runId;
    this.wsPath = wsPath || `/ws/runs/${runId}`;
    this.lastSeq = after;
    this.onEvent = onEvent;
    this.onLost = onLost;
    this.done = false;
    this.closed = false;
    this.failures = 0;
    this.socket = null;
    this.timer = 0;
    this.reconnects = 0;
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    if (this.closed || this.done) return;
    const socket = new WebSocket(socketUrl(`${this.wsPath}?after=${this.lastSeq}`));
    this.socket = socket;
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket === socket) this.socket = null;
      if (!this.closed && !this.done) this.retry();
    };
  }

  receive(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    this.deliver(event);
  }

  deliver(event) {
    if (!event || !Number.isInteger(event.seq) || event.seq <= this.lastSeq || this.done) return;
    this.lastSeq = event.seq;
    this.failures = 0;
    if (event.type === "done") {
      this.done = true;
      this.socket?.close();
    }
    this.onEvent(event);
  }

  retry() {
    this.failures += 1;
    this.reconnects += 1;
    const delay = BACKOFF_MS[Math.min(this.failures - 1, BACKOFF_MS.length - 1)];
    this.timer = setTimeout(() => {
      if (this.failures >= CHECK_RECORD_AFTER) this.checkRecord();
      else this.connect();
    }, delay);
  }

  // The socket keeps failing: the run may have ended long ago (its stream expired) or be gone.
  async checkRecord() {
    try {
      const record = await getJSON(`/api/runs/${encodeURIComponent(this.runId)}`);
      if (TERMINAL_STATUSES.has(record.status)) {
        for (const event of [...(record.events || [])].sort((a, b) => a.seq - b.seq)) this.deliver(event);
        if (!this.done) {
          this.done = true;
          this.onEvent({ type: "done", seq: this.lastSeq + 1, t: 0, status: record.status, duration_ms: record.duration_ms, exit_code: null });
        }
        return;
      }
      this.connect();
    } catch (error) {
      if (error.status === 404 || error.status === 403) {
        this.closed = true;
        this.onLost(error);
      } else {
        this.connect();
      }
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.socket = null;
  }
}
