// Open tasks of the coalition, for partner websites. Add one tag where the list should appear:
//
//   <script src="https://tasks.example.org/widget.js" data-skills="translation,interpretation"
//           data-area="montreal-plateau" data-language="es" data-remote="true" data-limit="5" data-lang="fr"
//           async></script>
//
// data-skills lists skill slugs separated by commas: tasks needing any of them are shown. The older
// single data-skill still works (it joins the list).
// The list renders in a Shadow DOM (the host page's styles do not touch it), shows no personal
// data, and stays current: it listens for task changes over a WebSocket and refetches, falling
// back to polling when the socket is unavailable. The host page's origin must be in the
// gateway's GATEWAY_WIDGET_ORIGINS.
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
  var QUERY = "query WidgetTasks($filter: OpenTaskFilter, $first: Int!) { openTasks(filter: $filter, first: $first) {" +
    " totalCount nodes { id title summary remote areaName startsAt endsAt deadline openSlots slots } } }";
  var strings = {};

  var host = document.createElement("div");
  host.className = "coalition-open-tasks";
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: "open" });
  var css =
    ":host{display:block;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1f;}" +
    "section{border:1px solid #c9c5bb;border-radius:6px;padding:12px 16px;background:#fff;max-width:36rem;}" +
    "h2{font-size:1.1rem;margin:0 0 8px;}ul{list-style:none;margin:0;padding:0;}" +
    "li{border-top:1px solid #e2ded5;padding:8px 0;}li:first-child{border-top:0;}" +
    "h3{font-size:1rem;margin:0 0 2px;}p{margin:2px 0;}.meta{color:#4a4a55;font-size:.9rem;}" +
    "a{color:#0b5d3b;font-weight:600;}a:focus-visible{outline:3px solid #1a4fd8;outline-offset:2px;}";
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
  section.innerHTML = "<h2></h2><p class=\"meta\" role=\"status\"></p><ul></ul><p class=\"more\"></p>";
  root.appendChild(section);
  var heading = root.querySelector("h2");
  var status = root.querySelector("[role=status]");
  var list = root.querySelector("ul");
  var more = root.querySelector(".more");

  // With a numeric `count`, a plural form `widget.key_one` (Intl.PluralRules) wins over the general one.
  function t(key, params) {
    var form = params && typeof params.count === "number"
      ? strings["widget." + key + "_" + new Intl.PluralRules(config.lang).select(params.count)] : undefined;
    var text = form || strings["widget." + key] || key;
    return text.replace(/\{(\w+)\}/g, function (_, name) { return params && params[name] !== undefined ? params[name] : ""; });
  }

  function when(task) {
    var format = new Intl.DateTimeFormat(config.lang === "fr" ? "fr-CA" : "en-CA",
      { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
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

  function load() {
    return fetch(origin + "/graphql", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ query: QUERY, variables: { filter: config.filter, first: config.limit } }),
    }).then(function (response) { return response.json(); }).then(function (body) {
      if (body.data) render(body.data.openTasks);
      else status.textContent = t("unavailable");
    }).catch(function () { status.textContent = t("unavailable"); });
  }

  function listen() {
    var socket;
    try {
      socket = new WebSocket(origin.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws");
    } catch (_) {
      return;
    }
    socket.onopen = function () { socket.send(JSON.stringify({ type: "connection_init", payload: {} })); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "open-tasks", type: "subscribe",
          payload: { query: "subscription { openTasksChanged { taskId kind } }" } }));
      } else if (message.type === "next") {
        load();
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onclose = function () { setTimeout(function () { load(); listen(); }, 5000); };
  }

  fetch(origin + "/i18n/" + config.lang + ".json", { credentials: "omit" })
    .then(function (response) { return response.json(); })
    .catch(function () { return {}; })
    .then(function (catalogue) {
      strings = catalogue;
      heading.textContent = data.title || t("heading");
      section.setAttribute("aria-label", heading.textContent);
      section.setAttribute("lang", config.lang);
      return load();
    })
    .then(function () {
      listen();
      setInterval(load, POLL_MS);
    });
})();
