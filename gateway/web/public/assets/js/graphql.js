// Talking to the gateway: queries and mutations over HTTP, subscriptions over WebSocket with
// the graphql-transport-ws protocol (connection_init carries the token).

import { token } from "./session.js";

export class RequestFailed extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export async function request(query, variables = {}) {
  const headers = { "Content-Type": "application/json" };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch("/graphql", { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new RequestFailed("network", "NETWORK");
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 429) throw new RequestFailed(body.detail || "rate limited", "RATE_LIMITED");
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = (first.extensions && first.extensions.code) || "ERROR";
    if (code === "UNAUTHENTICATED" && bearer) {
      sessionStorage.clear();
      window.location.assign("login.html");
    }
    throw new RequestFailed(first.message, code);
  }
  if (!response.ok) throw new RequestFailed(body.detail || `HTTP ${response.status}`, "HTTP");
  return body.data;
}

// A subscription that keeps itself alive: it reconnects with backoff after a drop and calls
// onReconnect so the page can refetch what it may have missed. Returns a function that stops it.
export function subscribe(query, variables, { onNext, onReconnect, onStatus }) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let timer = null;

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${window.location.host}/graphql`, "graphql-transport-ws");
    socket.addEventListener("open", () => {
      const payload = token() ? { token: token() } : {};
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    });
    socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      if (onStatus) onStatus("offline");
      if (stopped) return;
      const delay = Math.min(30_000, 500 * 2 ** attempt++);
      timer = setTimeout(() => { connect(); if (onReconnect) onReconnect(); }, delay);
    });
  }

  function handle(message) {
    if (message.type === "connection_ack") {
      attempt = 0;
      if (onStatus) onStatus("live");
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
    } else if (message.type === "next" && message.payload && message.payload.data) {
      onNext(message.payload.data);
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "error" || message.type === "complete") {
      socket.close();
    }
  }

  connect();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}
