// Wall-clock times in a named IANA zone (a task's, a member's), whatever zone the browser is in:
// "2027-01-15T17:00" in America/Toronto is 22:00 UTC that day, and back.

const PARTS = { hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function isKnownZone(zone) {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return Boolean(zone);
  } catch {
    return false;
  }
}

// Every zone the browser knows, as suggestions for a zone field (it stays free to type in).
export function listZones(datalist) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  datalist.replaceChildren(...zones.map((zone) => Object.assign(document.createElement("option"), { value: zone })));
}

function wallClock(instant, zone) {
  const parts = {};
  for (const { type, value } of new Intl.DateTimeFormat("en-US", { ...PARTS, timeZone: zone }).formatToParts(instant)) {
    parts[type] = value;
  }
  return parts;
}

// Minutes the zone is ahead of UTC at that instant.
function offsetMinutes(instantMs, zone) {
  const p = wallClock(new Date(instantMs), zone);
  return (Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - instantMs) / 60000;
}

// "YYYY-MM-DDTHH:MM" (a datetime-local field) read in ``zone``, as an ISO instant.
export function zonedToIso(local, zone) {
  const [date, time] = local.split("T");
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetMinutes(wall, zone) * 60000;
  return new Date(wall - offsetMinutes(first, zone) * 60000).toISOString();  // again, in case DST lies between
}

// An ISO instant as "YYYY-MM-DDTHH:MM" in ``zone`` (for a datetime-local field).
export function isoToZoned(iso, zone) {
  const p = wallClock(new Date(iso), zone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
