// The volunteer's page: offers with their reasons (accept or decline in one click), live
// updates without reloading, tasks accepted, profile, pause, message choices, audit log and erasure.

import { request, subscribe } from "./graphql.js";
import { describeReason, formatDateTime, onLanguageChange, t } from "./i18n.js";
import { requireRole } from "./session.js";
import { PUBLIC_TASK_FIELDS, loadTaxonomy, placesLeft, when, where } from "./tasks.js";
import { announce, busy, el, notice, pageReady, problemMessage, setUpPage, showError } from "./ui.js";
import { askForTheTaskCameFor, askedOfferId, renderAsked } from "./volunteer-asked.js";
import { setUpCalendar } from "./volunteer-calendar.js";
import { setUpMessages } from "./volunteer-messages.js";
import { setUpProfile } from "./volunteer-profile.js";
import { couldNotComeButton, hasBegun, showRecord } from "./volunteer-record.js";

const REASON_FIELDS = `fragment ReasonFields on OfferReason {
  kind skill level language fluency windows moreWindows sharePercent beforeDeadline area areaName distanceKm
  recentTasks text
}`;
const OFFER_FIELDS = `fragment OfferFields on Offer {
  id taskId status taskTitle expiresAt createdAt withdrawnBecause address details task { ...PublicTaskFields }
  reasons { ...ReasonFields }
} ${PUBLIC_TASK_FIELDS} ${REASON_FIELDS}`;
// The page's list of offers leaves the reasons out: they are shown on waiting offers only (a
// member has a few at most), and 50 offers with theirs would pass the gateway's query budget.
const LISTED_FIELDS = `fragment ListedFields on Offer {
  id taskId status taskTitle expiresAt createdAt withdrawnBecause address details task { ...PublicTaskFields }
} ${PUBLIC_TASK_FIELDS}`;
const PAGE = `query VolunteerPage {
  me { member { id displayName pronouns status } }
  myOffers(first: 50) { nodes { ...ListedFields } }
  waiting: myOffers(status: PENDING, first: 10) { nodes { id reasons { ...ReasonFields } } }
} ${LISTED_FIELDS} ${REASON_FIELDS}`;
const ASK = `mutation AskForTask($taskId: ID!) {
  askForTask(taskId: $taskId) {
    __typename
    ... on TaskForMe { answer reasons task { ...PublicTaskFields } offer { ...OfferFields } }
    ... on Problem { message }
  }
} ${OFFER_FIELDS}`;
const ANSWER = (name, argument) => `mutation Answer($id: ID!) {
  ${name}(${argument}: $id) {
    __typename ... on Offer { ...OfferFields } ... on Problem { message }
  }
} ${OFFER_FIELDS}`;

const state = { offers: new Map(), member: null, taxonomy: { skills: [], areas: [] }, asked: null,
  redraw: () => render(), ask: (taskId) => request(ASK, { taskId }) };

function offerTitle(offer) {
  return offer.task ? offer.task.title : offer.taskTitle || "";
}

function reasonsList(offer) {
  const context = { skills: state.taxonomy.skills, timeZone: offer.task ? offer.task.timeZone : undefined };
  return el("ul", { class: "reasons", "aria-label": t("volunteer.why_you") },
    ...offer.reasons.map((reason) => describeReason(reason, context)).filter(Boolean)
      .map((words) => el("li", {}, words)));
}

// Places left matter while deciding; once accepted, the count may still be catching up with the
// volunteer's own acceptance ("1 of 1 places still open"), and it no longer concerns them.
function taskLines(offer, withPlaces = true) {
  if (!offer.task) return [];
  return [el("p", { class: "meta" }, when(offer.task)), el("p", { class: "meta" }, where(offer.task)),
    withPlaces ? el("p", { class: "meta" }, placesLeft(offer.task)) : null];
}

function answerButton(offer, label, name, argument, value, style) {
  const button = el("button", { type: "button", class: style, "aria-label": `${label}: ${offerTitle(offer)}` }, label);
  button.addEventListener("click", () => answer(offer, button, name, argument, value));
  return button;
}

function pendingCard(offer) {
  return el("li", { dataset: { offerId: offer.id } },
    el("h3", {}, offerTitle(offer)),
    offer.task && offer.task.summary ? el("p", {}, offer.task.summary) : null,
    ...taskLines(offer),
    el("p", { class: "meta" }, t("volunteer.why_you")), reasonsList(offer),
    offer.expiresAt ? el("p", { class: "meta" }, t("volunteer.answer_by", { when: formatDateTime(offer.expiresAt) })) : null,
    el("div", { class: "actions" },
      answerButton(offer, t("volunteer.accept"), "acceptOffer", "offerId", offer.id, ""),
      answerButton(offer, t("volunteer.decline"), "declineOffer", "offerId", offer.id, "secondary")));
}

function acceptedCard(offer) {
  return el("li", { dataset: { offerId: offer.id } },
    el("h3", {}, offerTitle(offer)),
    ...taskLines(offer, false),
    offer.address ? el("p", {}, t("volunteer.address", { address: offer.address })) : null,
    offer.details ? el("p", { class: "details" }, offer.details) : null,
    el("div", { class: "actions" },
      hasBegun(offer.task) ? couldNotComeButton(offer, offerTitle(offer))  // too late to step back: say so instead
        : answerButton(offer, t("volunteer.withdraw"), "withdrawFromTask", "taskId", offer.taskId, "secondary")));
}

function pastCard(offer) {
  const reason = offer.withdrawnBecause ? t(`withdrawn.${offer.withdrawnBecause}`, {}, offer.withdrawnBecause) : "";
  return el("li", {}, el("h3", {}, offerTitle(offer)),
    el("p", { class: "meta" }, `${t(`offer_status.${offer.status}`)}${reason ? ` (${reason})` : ""}`));
}

function render() {
  const offers = [...state.offers.values()].sort((a, b) => (b.createdAt || "").localeCompare(a.createdAt || ""));
  const groups = { PENDING: [], ACCEPTED: [], other: [] };
  const asked = askedOfferId(state);
  for (const offer of offers) {
    if (offer.status === "PENDING" && offer.id === asked) continue;  // shown first, in its own section
    (groups[offer.status] || groups.other).push(offer);
  }
  renderAsked(state, pendingCard);
  document.getElementById("pending").replaceChildren(...groups.PENDING.map(pendingCard));
  document.getElementById("accepted").replaceChildren(...groups.ACCEPTED.map(acceptedCard));
  document.getElementById("past").replaceChildren(...groups.other.map(pastCard));
  document.getElementById("pending-empty").hidden = groups.PENDING.length > 0;
  document.getElementById("accepted-empty").hidden = groups.ACCEPTED.length > 0;
  renderPause();
}

function renderPause() {
  if (!state.member) return;  // the panel stays hidden until the profile is known
  document.getElementById("pause-panel").hidden = false;
  const paused = state.member.status === "PAUSED";
  document.getElementById("pause-status").textContent = t(paused ? "volunteer.paused" : "volunteer.active");
  document.getElementById("pause-toggle").textContent = t(paused ? "volunteer.resume" : "volunteer.pause");
}

async function answer(offer, button, name, argument, value) {
  busy(button, true);
  const section = button.closest("section");  // stays put while the cards are redrawn
  try {
    const result = (await request(ANSWER(name, argument), { id: value }))[name];
    if (result.__typename === "Offer") {
      state.offers.set(result.id, result);
      render();
      announce(t(`volunteer.announce_${result.status.toLowerCase()}`, { title: offerTitle(result) }, offerTitle(result)));
      return;
    }
    if (result.__typename === "TaskFilled" || result.__typename === "OfferNotPending") await refresh();
    notice(section, problemMessage(result));
  } catch (error) {
    showError(section, error);
  } finally {
    busy(button, false);
  }
}

async function refresh() {
  const data = await request(PAGE);
  state.member = data.me.member;
  const reasons = new Map(data.waiting.nodes.map((offer) => [offer.id, offer.reasons]));
  state.offers = new Map(data.myOffers.nodes.map((offer) => [offer.id, { ...offer, reasons: reasons.get(offer.id) || [] }]));
  render();
}

function onOfferUpdate({ offerUpdates }) {
  const { offer } = offerUpdates;
  const isNew = !state.offers.has(offer.id);
  state.offers.set(offer.id, offer);
  render();
  announce(isNew ? t("volunteer.announce_new", { title: offerTitle(offer) })
    : t("volunteer.announce_changed", { title: offerTitle(offer), status: t(`offer_status.${offer.status}`) }));
}

function setUpLiveUpdates() {
  const status = document.getElementById("live-status");
  subscribe(`subscription { offerUpdates { kind offer { ...OfferFields } } } ${OFFER_FIELDS}`, {}, {
    onNext: onOfferUpdate,
    onReconnect: () => refresh().catch(() => {}),
    onStatus: (value) => { status.textContent = t(`live.${value}`); },
  });
}

async function main() {
  if (!requireRole("VOLUNTEER")) return;
  await setUpPage();
  const container = document.getElementById("main");
  try {
    state.taxonomy = await loadTaxonomy();
    await refresh();
  } catch (error) {
    showError(container, error);
  }
  askForTheTaskCameFor(state).catch((error) => showError(container, error));
  setUpLiveUpdates();
  onLanguageChange(render);
  setUpProfile(state, renderPause);
  await Promise.all([setUpMessages(), setUpCalendar(), showRecord()]);
  pageReady();
}

main();
