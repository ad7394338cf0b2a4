// Open tasks of the coalition, for partner websites. Add one tag where the list should appear:
//
//   <script src="https://tasks.example.org/widget.js" data-skills="translation,interpretation"
//           data-area="montreal-plateau" data-language="es" data-remote="true" data-limit="5" data-lang="fr"
//           async></script>
//
// data-skills lists skill slugs separated by commas: tasks needing any of them are shown. The older
// single data-skill still works (it joins the list).
// The list renders in a Shadow DOM under its own element, <coalition-open-tasks>: the host page's
// styles do not reach it (its :host rule resets every inherited property with !important, which
// beats the page's !important rules, and every size inside is in px, so a page's root font size
// changes nothing). It shows no personal data and stays current: it listens for task changes over
// a WebSocket and refetches, polling as well. The host page's origin must be in the gateway's
// GATEWAY_WIDGET_ORIGINS; when it is not, the widget says so (with a hint for the site owner) and
// retries with a growing delay, up to a few minutes, instead of hammering the gateway.
// The gateway fills in the widget's strings (both languages) when it serves this file, so that
// even a blocked widget speaks the visitor's language.
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src, window.location.href).origin;
  var data = script.dataset;
  var skills = (data.skills || "").split(",").concat(data.skill ? [data.skill] : [])
    .map(function (slug) { return slug.trim(); }).filter(Boolean);
  var config = {
    filter: {
      skills: skills.length ? skills : null, area: data.area || null, language: data.language || null,
      remote: data.remote === "true" ? true : null,
    },
    limit: Math.min(Math.max(parseInt(data.limit, 10) || 5, 1), 20),
    lang: data.lang === "fr" ? "fr" : "en",
  };
  var POLL_MS = 60000;
  var RETRY_FIRST_MS = 5000;
  var RETRY_MAX_MS = 300000;
  var QUERY = "query WidgetTasks($filter: OpenTaskFilter, $first: Int!) { openTasks(filter: $filter, first: $first) {" +
    " totalCount nodes { id title summary remote areaName startsAt endsAt deadline timeZone openSlots slots } } }";
  var CATALOGUES = /*widget-strings*/{}/*end-widget-strings*/;
  var strings = CATALOGUES[config.lang] || {};

  var TAG = "coalition-open-tasks";
  if (window.customElements && !window.customElements.get(TAG)) {
    window.customElements.define(TAG, class extends HTMLElement {});
  }
  var host = document.createElement(TAG);
  host.className = TAG;
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: "open" });
  var FONT = "system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
  var css =
    ":host{all:initial !important;display:block !important;visibility:visible !important;opacity:1 !important;" +
    "position:static !important;transform:none !important;clip-path:none !important;}" +
    "section,h2,h3,p,ul,li,a{box-sizing:border-box;font-family:" + FONT + ";font-style:normal;" +
    "letter-spacing:normal;word-spacing:normal;text-transform:none;text-align:left;text-indent:0;text-shadow:none;" +
    "line-height:1.4;color:#1b1b1f;font-size:16px;font-weight:400;visibility:visible;}" +
    "section{display:block;border:1px solid #c9c5bb;border-radius:6px;padding:12px 16px;background:#fff;max-width:576px;margin:0;}" +
    "h2{display:block;font-size:18px;font-weight:700;margin:0 0 8px;}ul{display:block;list-style:none;margin:0;padding:0;}" +
    "li{display:block;border-top:1px solid #e2ded5;padding:8px 0;margin:0;}li:first-child{border-top:0;}" +
    "h3{display:block;font-size:16px;font-weight:700;margin:0 0 2px;}p{display:block;margin:2px 0;}" +
    ".meta{color:#4a4a55;font-size:14px;}.hint{color:#4a4a55;font-size:13px;}" +
    "a{display:inline;color:#0b5d3b;font-weight:600;text-decoration:underline;}" +
    "a:focus-visible{outline:3px solid #1a4fd8;outline-offset:2px;}";
  // A constructed stylesheet is not an inline <style>, so strict Content-Security-Policies of
  // partner sites (and of the gateway's own pages) let it through.
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    var style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
  var section = document.createElement("section");
  section.setAttribute("role", "region");
  section.innerHTML = "<h2></h2><p class=\"meta\" role=\"status\"></p><p class=\"hint\"></p><ul></ul><p class=\"more\"></p>";
  root.appendChild(section);
  var heading = root.querySelector("h2");
  var status = root.querySelector("[role=status]");
  var hint = root.querySelector(".hint");
  var list = root.querySelector("ul");
  var more = root.querySelector(".more");

  // With a numeric `count`, a plural form `widget.key_one` (Intl.PluralRules) wins over the general one.
  function t(key, params) {
    var form = params && typeof params.count === "number"
      ? strings["widget." + key + "_" + new Intl.PluralRules(config.lang).select(params.count)] : undefined;
    var text = form || strings["widget." + key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) { return params && params[name] !== undefined ? params[name] : ""; });
  }

  // In the task's own time zone, named ("Wed, Dec 2, 05:00 p.m. EST"), not the visitor's.
  function when(task) {
    var options = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
    if (task.timeZone) { options.timeZone = task.timeZone; options.timeZoneName = "short"; }
    var format = new Intl.DateTimeFormat(config.lang === "fr" ? "fr-CA" : "en-CA", options);
    if (task.startsAt) return format.format(new Date(task.startsAt));
    if (task.deadline) return t("before", { deadline: format.format(new Date(task.deadline)) });
    return "";
  }

  function item(task) {
    var li = document.createElement("li");
    li.setAttribute("data-task-id", task.id);
    var title = document.createElement("h3");
    title.textContent = task.title;
    li.appendChild(title);
    if (task.summary) {
      var summary = document.createElement("p");
      summary.textContent = task.summary;
      li.appendChild(summary);
    }
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [when(task), task.remote ? t("remote") : task.areaName || "",
      t("places", { open: task.openSlots, slots: task.slots, count: task.openSlots })].filter(Boolean).join(" · ");
    li.appendChild(meta);
    var link = document.createElement("a");
    link.href = origin + "/signup.html?task=" + encodeURIComponent(task.id) + "&lang=" + config.lang;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = t("help");
    link.setAttribute("aria-label", t("help") + ": " + task.title);
    li.appendChild(link);
    return li;
  }

  function render(page) {
    list.replaceChildren.apply(list, page.nodes.map(item));
    status.textContent = page.totalCount ? "" : t("none");
    hint.textContent = "";
    more.replaceChildren();
    if (page.totalCount > page.nodes.length) {
      var all = document.createElement("a");
      all.href = origin + "/index.html?lang=" + config.lang;
      all.target = "_blank";
      all.rel = "noopener";
      all.textContent = t("all", { count: page.totalCount });
      more.appendChild(all);
    }
  }

  // A refused cross-origin read and a gateway that is down look alike to fetch(). An opaque
  // (no-cors) request tells them apart: it succeeds whenever the gateway answers at all.
  function showFailure() {
    return fetch(origin + "/healthz", { mode: "no-cors", credentials: "omit" })
      .then(function () { return true; }, function () { return false; })
      .then(function (reachable) {
        status.textContent = reachable ? t("blocked") : t("unavailable");
        hint.textContent = reachable ? t("blocked_hint", { site: window.location.origin }) : "";
      });
  }

  // Resolves to true when the list was loaded and shown.
  function load() {
    return fetch(origin + "/graphql", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ query: QUERY, variables: { filter: config.filter, first: config.limit } }),
    }).then(function (response) { return response.json(); }).then(function (body) {
      if (!body.data) throw new Error("no data");
      render(body.data.openTasks);
      return true;
    }).catch(function () { return showFailure().then(function () { return false; }); });
  }

  // One timer drives every reload: the next poll after a success, a growing delay after failures.
  var timer = null;
  var failures = 0;
  var socket = null;
  var socketFailures = 0;

  function backoff(count) {
    return Math.min(RETRY_FIRST_MS * Math.pow(2, Math.max(count - 1, 0)), RETRY_MAX_MS);
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  function refresh() {
    return load().then(function (loaded) {
      if (loaded) {
        failures = 0;
        listen();
        schedule(POLL_MS);
      } else {
        failures += 1;
        schedule(backoff(failures));
      }
    });
  }

  function listen() {
    if (socket) return;
    try {
      socket = new WebSocket(origin.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws");
    } catch {
      socket = null;
      return;
    }
    var current = socket;
    socket.onopen = function () { current.send(JSON.stringify({ type: "connection_init", payload: {} })); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        socketFailures = 0;
        current.send(JSON.stringify({ id: "open-tasks", type: "subscribe",
          payload: { query: "subscription { openTasksChanged { taskId kind } }" } }));
      } else if (message.type === "next") {
        load();
      } else if (message.type === "ping") {
        current.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onclose = function () {
      if (socket !== current) return;
      socket = null;
      socketFailures += 1;
      schedule(backoff(socketFailures));  // reload (and so reconnect) after a growing delay
    };
  }

  heading.textContent = data.title || t("heading");
  section.setAttribute("aria-label", heading.textContent);
  section.setAttribute("lang", config.lang);
  refresh();
})();
