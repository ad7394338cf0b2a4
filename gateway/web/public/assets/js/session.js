// The signed-in session: a short-lived token kept for this browser tab only (sessionStorage),
// renewed shortly before it expires. Closing the tab signs out, which suits shared computers.

const KEY = "coalition.session";

export function currentSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (session && new Date(session.expiresAt) > new Date()) return session;
  } catch { /* unreadable: treat as signed out */ }
  sessionStorage.removeItem(KEY);
  return null;
}

export function token() {
  const session = currentSession();
  return session ? session.token : null;
}

export function saveSession(auth) {
  const session = { token: auth.token, expiresAt: auth.expiresAt, role: auth.viewer.role, locale: auth.viewer.locale };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  scheduleRenewal();
  return session;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  window.location.assign("login.html");
}

export const HOME_BY_ROLE = { VOLUNTEER: "volunteer.html", COORDINATOR: "coordinator.html", ADMIN: "admin.html" };

// Pages for one role send anyone else to the login page (or to their own home).
export function requireRole(role) {
  const session = currentSession();
  if (!session) {
    window.location.replace("login.html");
    return null;
  }
  if (session.role !== role) {
    window.location.replace(HOME_BY_ROLE[session.role] || "index.html");
    return null;
  }
  scheduleRenewal();
  return session;
}

let renewal = null;

function scheduleRenewal() {
  const session = currentSession();
  clearTimeout(renewal);
  if (!session) return;
  const inMs = new Date(session.expiresAt) - new Date() - 120_000;
  renewal = setTimeout(renew, Math.max(inMs, 5_000));
}

async function renew() {
  const { request } = await import("./graphql.js");
  try {
    const data = await request(`mutation { renewToken { __typename ... on AuthPayload {
      token expiresAt viewer { role locale } } } }`);
    if (data.renewToken.__typename === "AuthPayload") saveSession(data.renewToken);
  } catch { /* the next request will send the person to the login page */ }
}
